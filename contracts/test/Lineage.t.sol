// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {InferenceHub} from "../src/InferenceHub.sol";

/// @dev Model lineage: a derived model's parents take their shares of its contributor pool when
///      it is distributed, into their own pools, which pass their parents' shares on in turn.
contract LineageTest is CredenceFixture {
    address internal constant BASE_AUTHOR = address(0xBA5E);
    address internal constant TUNER = address(0x7E4E);
    address internal constant QUANTIZER = address(0x0A47);

    function _solo(address account) internal pure returns (ModelRegistry.Contributor[] memory list) {
        list = new ModelRegistry.Contributor[](1);
        list[0] = ModelRegistry.Contributor(account, 1, 10_000, bytes32(0));
    }

    function _parent(uint256 id, uint8 kind, uint16 bps) internal pure returns (ModelRegistry.Parent memory) {
        return ModelRegistry.Parent(uint96(id), kind, bps);
    }

    function _one(ModelRegistry.Parent memory p) internal pure returns (ModelRegistry.Parent[] memory list) {
        list = new ModelRegistry.Parent[](1);
        list[0] = p;
    }

    function _two(ModelRegistry.Parent memory a, ModelRegistry.Parent memory b)
        internal
        pure
        returns (ModelRegistry.Parent[] memory list)
    {
        list = new ModelRegistry.Parent[](2);
        (list[0], list[1]) = (a, b);
    }

    function _register(address author, ModelRegistry.Parent[] memory parents) internal returns (uint256) {
        vm.prank(author);
        if (parents.length == 0) return registry.registerModel(MODEL_HASH, "file:m.onnx", FEE, 1, _solo(author));
        return registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, _solo(author), parents);
    }

    /// @dev One request of `modelId` settled by KEY_1: its contributor pool gets the fee's rest.
    function _settleOn(uint256 modelId) internal returns (uint256 pool) {
        uint256 before = vault.pendingPool(modelId);
        (uint256 id, InferenceHub.Request memory req) = _request(modelId, FEE);
        _settle(id, req, _keys(KEY_1));
        pool = vault.pendingPool(modelId) - before;
    }

    function test_register_recordsParentsAndDepth() public {
        uint256 base = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 tuned = _register(TUNER, _one(_parent(base, registry.DERIVED_FINE_TUNE(), 3_000)));
        vm.expectEmit(true, true, false, true, address(registry));
        emit ModelRegistry.ModelParentAdded(tuned + 1, tuned, registry.DERIVED_QUANTIZE(), 2_000);
        uint256 quantized = _register(QUANTIZER, _one(_parent(tuned, registry.DERIVED_QUANTIZE(), 2_000)));
        assertEq(registry.lineageDepth(base), 0, "a base model");
        assertEq(registry.lineageDepth(tuned), 1, "one derivation");
        assertEq(registry.lineageDepth(quantized), 2, "two");
        ModelRegistry.Parent[] memory parents = registry.parents(quantized);
        assertEq(parents.length, 1, "one parent");
        assertEq(parents[0].modelId, tuned, "the tuned model");
        assertEq(parents[0].shareBps, 2_000, "its share");
        (, ModelRegistry.Parent[] memory read) = registry.distributionOf(quantized);
        assertEq(read[0].modelId, tuned, "what distribution reads");
    }

    function test_register_refusals() public {
        uint256 base = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 other = _register(TUNER, new ModelRegistry.Parent[](0));
        uint8 tune = registry.DERIVED_FINE_TUNE();
        ModelRegistry.Contributor[] memory c = _solo(TUNER);

        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidParentCount.selector, 0, 8));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, new ModelRegistry.Parent[](0));
        ModelRegistry.Parent[] memory nine = new ModelRegistry.Parent[](9);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidParentCount.selector, 9, 8));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, nine);

        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, 0, 0));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, _one(_parent(0, tune, 100)));
        // the model being registered, or any later id, is not a parent yet
        uint256 next = registry.modelCount() + 1;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownParent.selector, 0, next));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, _one(_parent(next, tune, 100)));

        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DuplicateParent.selector, 1, base));
        registry.registerDerivedModel(
            MODEL_HASH, "file:m.onnx", FEE, 1, c, _two(_parent(base, tune, 100), _parent(base, tune, 100))
        );
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidDerivation.selector, 0, 0));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, _one(_parent(base, 0, 100)));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidDerivation.selector, 0, 5));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, _one(_parent(base, 5, 100)));
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZeroParentShare.selector, 1));
        registry.registerDerivedModel(
            MODEL_HASH, "file:m.onnx", FEE, 1, c, _two(_parent(base, tune, 100), _parent(other, tune, 0))
        );
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ParentSharesTooLarge.selector, 5_001, 5_000));
        registry.registerDerivedModel(
            MODEL_HASH, "file:m.onnx", FEE, 1, c, _two(_parent(base, tune, 2_500), _parent(other, tune, 2_501))
        );
    }

    function test_register_depthIsBounded() public {
        uint256 id = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        for (uint256 d = 1; d <= registry.MAX_LINEAGE_DEPTH(); ++d) {
            id = _register(TUNER, _one(_parent(id, registry.DERIVED_FINE_TUNE(), 100)));
            assertEq(registry.lineageDepth(id), d, "depth");
        }
        uint8 tune = registry.DERIVED_FINE_TUNE();
        ModelRegistry.Contributor[] memory c = _solo(TUNER);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.LineageTooDeep.selector, 9, 8));
        registry.registerDerivedModel(MODEL_HASH, "file:m.onnx", FEE, 1, c, _one(_parent(id, tune, 100)));
    }

    /// A chain of three: base <- tuned (30 %) <- quantized (20 %). The fee's pool on the quantized
    /// model reaches the base model's author through two distributions, to the wei.
    function test_chainOfThree_paysUpToTheWei() public {
        uint256 base = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 tuned = _register(TUNER, _one(_parent(base, registry.DERIVED_FINE_TUNE(), 3_000)));
        uint256 quantized = _register(QUANTIZER, _one(_parent(tuned, registry.DERIVED_QUANTIZE(), 2_000)));
        uint256 pool = _settleOn(quantized);
        uint256 total = _claimableTotal();

        vm.expectEmit(true, true, false, true, address(hub));
        emit RewardVault.LineagePaid(quantized, tuned, pool * 2_000 / 10_000);
        vm.expectEmit(true, false, false, true, address(hub));
        emit RewardVault.ModelPoolDistributed(quantized, pool - pool * 2_000 / 10_000);
        vault.distribute(quantized);
        uint256 toTuned = pool * 2_000 / 10_000;
        assertEq(vault.balanceOf(QUANTIZER), pool - toTuned, "the quantizer keeps 80 %");
        assertEq(vault.pendingPool(tuned), toTuned, "20 % into the tuned model's pool");

        vault.distribute(tuned);
        uint256 toBase = toTuned * 3_000 / 10_000;
        assertEq(vault.balanceOf(TUNER), toTuned - toBase, "the tuner keeps 70 % of that");
        assertEq(vault.pendingPool(base), toBase, "30 % of it into the base pool");

        vault.distribute(base);
        assertEq(vault.balanceOf(BASE_AUTHOR), toBase, "the base author earns from the derivative");
        assertEq(
            vault.balanceOf(QUANTIZER) + vault.balanceOf(TUNER) + vault.balanceOf(BASE_AUTHOR), pool, "nothing lost"
        );
        assertEq(_claimableTotal() + _lineageBalances(), total, "every wei still owed");
    }

    /// A diamond: B and C derive from A, D from both B and C. A's pool receives from both paths.
    function test_diamond_bothPathsReachTheSharedAncestor() public {
        uint8 tune = registry.DERIVED_FINE_TUNE();
        uint256 a = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 b = _register(TUNER, _one(_parent(a, tune, 1_000)));
        uint256 c = _register(QUANTIZER, _one(_parent(a, registry.DERIVED_QUANTIZE(), 2_000)));
        uint256 d = _register(
            OTHER, _two(_parent(b, registry.DERIVED_ENSEMBLE(), 2_500), _parent(c, registry.DERIVED_ENSEMBLE(), 2_500))
        );
        assertEq(registry.lineageDepth(d), 2, "one deeper than its deepest parent");
        uint256 pool = _settleOn(d) + _settleOn(d);
        uint256[] memory order = new uint256[](4);
        (order[0], order[1], order[2], order[3]) = (d, b, c, a);
        uint256 toB = pool * 2_500 / 10_000;
        uint256 toC = pool * 2_500 / 10_000;
        uint256 aFromB = toB * 1_000 / 10_000;
        uint256 aFromC = toC * 2_000 / 10_000;
        vm.prank(BASE_AUTHOR);
        uint256 claimed = vault.claim(order);
        assertEq(claimed, aFromB + aFromC, "the shared ancestor is paid along both paths");
        assertEq(vault.balanceOf(OTHER), pool - toB - toC, "the ensemble keeps the rest");
        assertEq(vault.balanceOf(TUNER), toB - aFromB, "B keeps the rest of its part");
        assertEq(vault.balanceOf(QUANTIZER), toC - aFromC, "C likewise");
        assertEq(
            vault.pendingPool(a) + vault.pendingPool(b) + vault.pendingPool(c) + vault.pendingPool(d),
            0,
            "all distributed"
        );
    }

    /// Rounding stays with the derived model's contributors; parents get the floor of their shares;
    /// nothing is lost whatever the shares and the pool.
    function testFuzz_distribution_losesNothing(uint16 s1, uint16 s2, uint96 fee) public {
        s1 = uint16(1 + s1 % 2_500);
        s2 = uint16(1 + s2 % 2_500);
        uint8 tune = registry.DERIVED_FINE_TUNE();
        uint256 a = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 b = _register(TUNER, new ModelRegistry.Parent[](0));
        vm.prank(QUANTIZER);
        uint256 d = registry.registerDerivedModel(
            MODEL_HASH, "file:m.onnx", 1, 1, _contributors(), _two(_parent(a, tune, s1), _parent(b, tune, s2))
        );
        uint256 f = 1 + uint256(fee) % 10 ether;
        (uint256 id, InferenceHub.Request memory req) = _request(d, f);
        _settle(id, req, _keys(KEY_1));
        uint256 pool = vault.pendingPool(d);
        uint256 before = vault.balanceOf(AUTHOR) + vault.balanceOf(PROVIDER) + vault.balanceOf(OTHER);
        uint256 claimableBefore = vault.claimable(AUTHOR);
        vault.distribute(d);
        uint256 toA = pool * s1 / 10_000;
        uint256 toB = pool * s2 / 10_000;
        assertEq(vault.pendingPool(a), toA, "parent a: the floor of its share");
        assertEq(vault.pendingPool(b), toB, "parent b: the floor of its share");
        uint256 contributors = vault.balanceOf(AUTHOR) + vault.balanceOf(PROVIDER) + vault.balanceOf(OTHER) - before;
        assertEq(contributors + toA + toB, pool, "every wei of the pool went somewhere");
        assertEq(vault.balanceOf(AUTHOR), claimableBefore, "claimable said so, parents' parts off");
    }

    /// What the parents' contributors may claim counts only their models' own pools; a
    /// derivative's pool reaches them when distributed.
    function test_claimable_countsOwnPoolsOnly() public {
        uint256 base = _register(BASE_AUTHOR, new ModelRegistry.Parent[](0));
        uint256 tuned = _register(TUNER, _one(_parent(base, registry.DERIVED_FINE_TUNE(), 5_000)));
        uint256 pool = _settleOn(tuned);
        assertEq(vault.claimable(BASE_AUTHOR), 0, "not yet in the base pool");
        assertEq(vault.claimable(TUNER), pool - pool / 2, "the tuner's part, parents' part off");
        vault.distribute(tuned);
        assertEq(vault.claimable(BASE_AUTHOR), pool / 2, "now it is");
    }

    function _lineageBalances() internal view returns (uint256) {
        return vault.balanceOf(BASE_AUTHOR) + vault.balanceOf(TUNER) + vault.balanceOf(QUANTIZER);
    }
}
