// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceTest} from "./utils/CredenceTest.sol";
import {ModelRegistry, IModelTermsSink} from "../src/ModelRegistry.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @dev Records the terms pushed to it, as the hub would store them.
contract TermsSink is IModelTermsSink {
    struct Terms {
        bytes32 sha256Hash;
        uint256 feeWei;
        uint8 quorum;
        bool retired;
    }

    mapping(uint256 => Terms) public terms;
    uint256 public syncs;

    function syncModelTerms(uint256 modelId, bytes32 sha256Hash, uint256 feeWei, uint8 quorum, bool retired) external {
        terms[modelId] = Terms(sha256Hash, feeWei, quorum, retired);
        syncs++;
    }
}

contract ModelRegistryTest is CredenceTest {
    ModelRegistry internal registry;

    address internal constant AUTHOR = address(0xA11CE);
    address internal constant PROVIDER = address(0xDA7A);
    address internal constant OTHER = address(0x07E4);
    bytes32 internal constant DATA_HASH = keccak256("iris.csv");
    bytes32 internal constant MODEL_HASH = keccak256("iris.onnx");

    function setUp() public {
        registry = new ModelRegistry(address(this));
        vm.prank(PROVIDER);
        registry.registerDataset(DATA_HASH, "file:data/iris.csv");
    }

    function _contributors() internal pure returns (ModelRegistry.Contributor[] memory list) {
        list = new ModelRegistry.Contributor[](3);
        list[0] = ModelRegistry.Contributor(AUTHOR, 1, 6000, bytes32(0));
        list[1] = ModelRegistry.Contributor(PROVIDER, 2, 3000, DATA_HASH);
        list[2] = ModelRegistry.Contributor(OTHER, 3, 1000, bytes32(0));
    }

    function _register() internal returns (uint256) {
        vm.prank(AUTHOR);
        return registry.registerModel(MODEL_HASH, "file:models/iris.onnx", 1 ether, 1, _contributors());
    }

    // ---------------------------------------------------------------- datasets

    function test_registerDataset_recordsProviderAndUri() public view {
        ModelRegistry.Dataset memory d = registry.dataset(DATA_HASH);
        assertEq(d.provider, PROVIDER, "provider");
        assertEq(d.uri, "file:data/iris.csv", "uri");
    }

    function test_registerDataset_emits() public {
        bytes32 h = keccak256("other.csv");
        vm.expectEmit(true, true, false, true, address(registry));
        emit ModelRegistry.DatasetRegistered(h, OTHER, "https://example.org/other.csv");
        vm.prank(OTHER);
        registry.registerDataset(h, "https://example.org/other.csv");
    }

    function test_registerDataset_revertsOnDuplicate() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.DatasetAlreadyRegistered.selector, DATA_HASH, PROVIDER));
        vm.prank(OTHER);
        registry.registerDataset(DATA_HASH, "file:copy.csv");
    }

    function test_registerDataset_revertsOnZeroHash() public {
        vm.expectRevert(ModelRegistry.ZeroHash.selector);
        registry.registerDataset(bytes32(0), "file:x");
    }

    function test_registerDataset_revertsOnEmptyUri() public {
        vm.expectRevert(ModelRegistry.EmptyUri.selector);
        registry.registerDataset(keccak256("x"), "");
    }

    function test_registerDataset_revertsOnLongUri() public {
        bytes memory uri = new bytes(2049);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UriTooLong.selector, 2049, 2048));
        registry.registerDataset(keccak256("x"), string(uri));
    }

    // ------------------------------------------------------------------ models

    function test_registerModel_storesEverything() public {
        uint256 id = _register();
        assertEq(id, 1, "first id");
        assertEq(registry.modelCount(), 1, "count");
        ModelRegistry.Model memory m = registry.model(id);
        assertEq(m.sha256, MODEL_HASH, "sha256");
        assertEq(m.owner, AUTHOR, "owner");
        assertEq(m.feeWei, 1 ether, "fee");
        assertEq(m.quorum, 1, "quorum");
        assertFalse(m.retired, "retired");
        assertEq(m.uri, "file:models/iris.onnx", "uri");
        ModelRegistry.Contributor[] memory list = registry.contributors(id);
        assertEq(list.length, 3, "contributors");
        assertEq(registry.contributorCount(id), 3, "contributorCount");
        assertEq(list[1].account, PROVIDER, "data contributor");
        assertEq(list[1].dataset, DATA_HASH, "data contributor dataset");
        assertEq(registry.contributor(id, 2).shareBps, 1000, "contributor(2)");
        ModelRegistry.ContributorRef[] memory refs = registry.contributionsOf(PROVIDER);
        assertEq(refs.length, 1, "refs");
        assertEq(refs[0].modelId, id, "ref model");
        assertEq(refs[0].index, 1, "ref index");
    }

    function test_registerModel_idsAreSequential() public {
        assertEq(_register(), 1, "first");
        assertEq(_register(), 2, "second");
        assertEq(registry.modelCount(), 2, "count");
    }

    function test_registerModel_emitsModelAndContributors() public {
        vm.expectEmit(true, true, true, true, address(registry));
        emit ModelRegistry.ModelRegistered(1, AUTHOR, MODEL_HASH, "file:models/iris.onnx", 1 ether, 1, 3);
        vm.expectEmit(true, true, true, true, address(registry));
        emit ModelRegistry.ContributorAdded(1, 0, AUTHOR, 1, 6000, bytes32(0));
        vm.expectEmit(true, true, true, true, address(registry));
        emit ModelRegistry.ContributorAdded(1, 1, PROVIDER, 2, 3000, DATA_HASH);
        _register();
    }

    function test_registerModel_revertsOnZeroHash() public {
        vm.expectRevert(ModelRegistry.ZeroHash.selector);
        registry.registerModel(bytes32(0), "file:m", 1, 1, _contributors());
    }

    function test_registerModel_revertsOnEmptyUri() public {
        vm.expectRevert(ModelRegistry.EmptyUri.selector);
        registry.registerModel(MODEL_HASH, "", 1, 1, _contributors());
    }

    function test_registerModel_revertsOnBadQuorum() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidQuorum.selector, 0, 16));
        registry.registerModel(MODEL_HASH, "file:m", 1, 0, _contributors());
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidQuorum.selector, 17, 16));
        registry.registerModel(MODEL_HASH, "file:m", 1, 17, _contributors());
    }

    function test_registerModel_revertsOnHugeFee() public {
        uint256 fee = uint256(type(uint80).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.FeeTooLarge.selector, fee, type(uint80).max));
        registry.registerModel(MODEL_HASH, "file:m", fee, 1, _contributors());
    }

    function test_registerModel_revertsOnNoContributors() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidContributorCount.selector, 0, 64));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, new ModelRegistry.Contributor[](0));
    }

    function test_registerModel_revertsOnTooManyContributors() public {
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](65);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidContributorCount.selector, 65, 64));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsOnZeroAddress() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[2].account = address(0);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZeroContributorAddress.selector, 2));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsOnBadRole() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[0].role = 4;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidRole.selector, 0, 4));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
        list[0].role = 0;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.InvalidRole.selector, 0, 0));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsOnZeroShare() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[2].shareBps = 0;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ZeroShare.selector, 2));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsWhenSharesDoNotSum() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[2].shareBps = 999;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.SharesDoNotSum.selector, 9999));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsOnUnknownDataset() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[1].dataset = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownDataset.selector, 1, keccak256("nope")));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsWhenDataContributorIsNotProvider() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[1].account = OTHER;
        vm.expectRevert(
            abi.encodeWithSelector(ModelRegistry.NotDatasetProvider.selector, 1, DATA_HASH, PROVIDER, OTHER)
        );
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_registerModel_revertsWhenNonDataNamesDataset() public {
        ModelRegistry.Contributor[] memory list = _contributors();
        list[0].dataset = DATA_HASH;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnexpectedDataset.selector, 0, 1, DATA_HASH));
        registry.registerModel(MODEL_HASH, "file:m", 1, 1, list);
    }

    function test_unknownModel_reverts() public {
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, 7));
        registry.model(7);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.UnknownModel.selector, 0));
        registry.syncModel(0);
    }

    // ---------------------------------------------------------- model ownership

    function test_setModelFee_byOwner() public {
        uint256 id = _register();
        vm.expectEmit(true, false, false, true, address(registry));
        emit ModelRegistry.ModelFeeChanged(id, 1 ether, 2 ether);
        vm.prank(AUTHOR);
        registry.setModelFee(id, 2 ether);
        assertEq(registry.model(id).feeWei, 2 ether, "fee");
    }

    function test_setModelFee_revertsForOthers() public {
        uint256 id = _register();
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, OTHER, AUTHOR));
        vm.prank(OTHER);
        registry.setModelFee(id, 2 ether);
    }

    function test_setModelFee_revertsOnHugeFee() public {
        uint256 id = _register();
        uint256 fee = uint256(type(uint80).max) + 1;
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.FeeTooLarge.selector, fee, type(uint80).max));
        vm.prank(AUTHOR);
        registry.setModelFee(id, fee);
    }

    function test_retireModel_isFinal() public {
        uint256 id = _register();
        vm.expectEmit(true, false, false, false, address(registry));
        emit ModelRegistry.ModelRetired(id);
        vm.startPrank(AUTHOR);
        registry.retireModel(id);
        assertTrue(registry.model(id).retired, "retired");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIsRetired.selector, id));
        registry.retireModel(id);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.ModelIsRetired.selector, id));
        registry.setModelFee(id, 5);
        vm.stopPrank();
    }

    function test_retireModel_revertsForOthers() public {
        uint256 id = _register();
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, OTHER, AUTHOR));
        vm.prank(OTHER);
        registry.retireModel(id);
    }

    function test_ownership_movesInTwoSteps() public {
        uint256 id = _register();
        vm.prank(AUTHOR);
        registry.transferModelOwnership(id, OTHER);
        assertEq(registry.model(id).owner, AUTHOR, "unchanged until accepted");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotPendingModelOwner.selector, id, PROVIDER, OTHER));
        vm.prank(PROVIDER);
        registry.acceptModelOwnership(id);
        vm.expectEmit(true, true, true, false, address(registry));
        emit ModelRegistry.ModelOwnershipTransferred(id, AUTHOR, OTHER);
        vm.prank(OTHER);
        registry.acceptModelOwnership(id);
        assertEq(registry.model(id).owner, OTHER, "new owner");
        assertEq(registry.model(id).pendingOwner, address(0), "pending cleared");
    }

    function test_transferModelOwnership_revertsForOthers() public {
        uint256 id = _register();
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, id, OTHER, AUTHOR));
        vm.prank(OTHER);
        registry.transferModelOwnership(id, OTHER);
    }

    function test_registerModelVersion_namesPredecessor() public {
        uint256 first = _register();
        vm.expectEmit(true, true, false, false, address(registry));
        emit ModelRegistry.ModelVersionRegistered(2, first);
        vm.prank(AUTHOR);
        uint256 second =
            registry.registerModelVersion(first, keccak256("iris-v2.onnx"), "file:v2", 2 ether, 2, _contributors());
        assertEq(registry.model(second).predecessor, first, "predecessor");
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.NotModelOwner.selector, first, OTHER, AUTHOR));
        vm.prank(OTHER);
        registry.registerModelVersion(first, keccak256("x"), "file:x", 0, 1, _contributors());
    }

    // -------------------------------------------------------------- terms sync

    function test_termsArePushedToTheHubOnEveryChange() public {
        uint256 before = _register(); // registered before the hub is known: not pushed
        TermsSink sink = new TermsSink();
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, OTHER));
        vm.prank(OTHER);
        registry.setHub(sink);
        vm.expectRevert(ModelRegistry.ZeroAddress.selector);
        registry.setHub(IModelTermsSink(address(0)));
        vm.expectEmit(true, false, false, false, address(registry));
        emit ModelRegistry.HubSet(address(sink));
        registry.setHub(sink);
        vm.expectRevert(abi.encodeWithSelector(ModelRegistry.HubAlreadySet.selector, address(sink)));
        registry.setHub(sink);

        uint256 id = _register();
        (bytes32 h, uint256 fee, uint8 q, bool retired) = sink.terms(id);
        assertEq(h, MODEL_HASH, "hash pushed");
        assertEq(fee, 1 ether, "fee pushed");
        assertEq(q, 1, "quorum pushed");
        vm.startPrank(AUTHOR);
        registry.setModelFee(id, 3 ether);
        (, fee,,) = sink.terms(id);
        assertEq(fee, 3 ether, "fee change pushed");
        registry.retireModel(id);
        (,,, retired) = sink.terms(id);
        assertTrue(retired, "retirement pushed");
        vm.stopPrank();

        (,, q,) = sink.terms(before);
        assertEq(q, 0, "not pushed yet");
        vm.prank(OTHER);
        registry.syncModel(before);
        (,, q,) = sink.terms(before);
        assertEq(q, 1, "anyone can push it");
    }

    // --------------------------------------------------------------------- fuzz

    /// Any split of 10 000 bps among up to 64 contributors registers; any other total reverts.
    function testFuzz_registerModel_sharesMustSumTo10000(uint8 count, uint256 seed, bool corrupt) public {
        uint256 n = bound(count, 1, 64);
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](n);
        uint256 left = 10_000;
        for (uint256 i; i < n; ++i) {
            uint256 remaining = n - i - 1;
            uint256 share = i == n - 1 ? left : bound(uint256(keccak256(abi.encode(seed, i))), 1, left - remaining);
            left -= share;
            list[i] = ModelRegistry.Contributor(address(uint160(0x1000 + i)), 3, uint16(share), bytes32(0));
        }
        if (corrupt) {
            list[0].shareBps += 1;
            vm.expectRevert(abi.encodeWithSelector(ModelRegistry.SharesDoNotSum.selector, 10_001));
        }
        uint256 id = registry.registerModel(MODEL_HASH, "file:m", seed % 1e24, 1, list);
        if (!corrupt) {
            uint256 total;
            ModelRegistry.Contributor[] memory stored = registry.contributors(id);
            for (uint256 i; i < stored.length; ++i) {
                total += stored[i].shareBps;
            }
            assertEq(total, 10_000, "stored shares");
            assertEq(stored.length, n, "stored count");
        }
    }

    function testFuzz_setModelFee_anyFeeUpToMax(uint256 fee) public {
        uint256 id = _register();
        fee = bound(fee, 0, type(uint80).max);
        vm.prank(AUTHOR);
        registry.setModelFee(id, fee);
        uint256 stored = registry.model(id).feeWei;
        assertEq(stored, fee, "fee");
    }
}
