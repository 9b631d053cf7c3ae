// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {WorkerRegistry} from "../src/WorkerRegistry.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @dev A claimant that re-enters the vault when paid.
contract ReentrantClaimant {
    RewardVault internal immutable vault;
    uint256 public reentries;
    bool public reentryFailed;

    constructor(RewardVault vault_) {
        vault = vault_;
    }

    uint256[] internal models;

    function setModels(uint256[] calldata ids) external {
        models = ids;
    }

    function claim() external {
        vault.claim(models);
    }

    receive() external payable {
        reentries++;
        try vault.claim() {}
        catch {
            reentryFailed = true;
        }
    }
}

/// @dev A claimant that cannot receive ETH.
contract RejectingClaimant {
    function claim(RewardVault vault, uint256[] calldata models) external {
        vault.claim(models);
    }

    function claimTo(RewardVault vault, address payable to, uint256[] calldata models) external {
        vault.claimTo(to, models);
    }
}

/// @dev An operator whose withdrawal reverts.
contract RejectingOperator {
    function register(WorkerRegistry r, address signer, bytes calldata proof) external payable {
        r.register{value: msg.value}(signer, proof);
    }

    function unbond(WorkerRegistry r, address signer, uint256 amount) external {
        r.unbond(signer, amount);
    }

    function withdraw(WorkerRegistry r, address signer) external {
        r.withdraw(signer);
    }
}

contract WorkerRegistryTest is CredenceFixture {
    uint256 internal constant KEY_NEW = 0xB1;

    function test_register_needsTheKeysConsent() public {
        address signer = vm.addr(KEY_NEW);
        bytes memory forOther = _sign(KEY_NEW, workers.workerKeyDigest(OTHER));
        vm.deal(OPERATOR_1, 10 ether);
        address recovered = _recover(workers.workerKeyDigest(OPERATOR_1), forOther);
        vm.prank(OPERATOR_1);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.BadKeySignature.selector, signer, recovered));
        workers.register{value: MIN_STAKE}(signer, forOther);

        vm.expectEmit(true, true, false, true, address(workers));
        emit WorkerRegistry.WorkerRegistered(signer, OPERATOR_1, MIN_STAKE);
        _registerWorker(KEY_NEW, OPERATOR_1, MIN_STAKE);
        (address operator, uint256 stake,,,, bool active) = workers.worker(signer);
        assertEq(operator, OPERATOR_1, "operator");
        assertEq(stake, MIN_STAKE, "stake");
        assertTrue(active, "active");
    }

    function test_register_reverts() public {
        bytes memory proof = _sign(KEY_1, workers.workerKeyDigest(OTHER));
        vm.deal(OTHER, 10 ether);
        vm.startPrank(OTHER);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.AlreadyRegistered.selector, vm.addr(KEY_1), OPERATOR_1));
        workers.register{value: MIN_STAKE}(vm.addr(KEY_1), proof);
        vm.expectRevert(WorkerRegistry.ZeroAddress.selector);
        workers.register{value: MIN_STAKE}(address(0), proof);
        vm.stopPrank();
        vm.deal(OTHER, uint256(type(uint96).max) + 2);
        bytes memory newProof = _sign(KEY_NEW, workers.workerKeyDigest(OTHER));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.StakeTooLarge.selector, uint256(type(uint96).max) + 1));
        vm.prank(OTHER);
        workers.register{value: uint256(type(uint96).max) + 1}(vm.addr(KEY_NEW), newProof);
    }

    function test_belowMinimumStakeIsNotActive() public {
        _registerWorker(KEY_NEW, OTHER, MIN_STAKE - 1);
        assertFalse(workers.isActive(vm.addr(KEY_NEW)), "below minimum");
        vm.deal(OTHER, 1);
        vm.prank(OTHER);
        workers.addStake{value: 1}(vm.addr(KEY_NEW));
        assertTrue(workers.isActive(vm.addr(KEY_NEW)), "at minimum");
        vm.prank(OWNER);
        workers.setMinStake(2 ether);
        assertFalse(workers.isActive(vm.addr(KEY_NEW)), "minimum raised");
    }

    function test_stakeUnbondWithdraw() public {
        address signer = vm.addr(KEY_1);
        vm.deal(OPERATOR_1, 1 ether);
        vm.startPrank(OPERATOR_1);
        vm.expectEmit(true, false, false, true, address(workers));
        emit WorkerRegistry.StakeAdded(signer, 1 ether, 2 ether);
        workers.addStake{value: 1 ether}(signer);
        vm.expectRevert(WorkerRegistry.ZeroAmount.selector);
        workers.addStake(signer);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NothingUnbonding.selector, signer));
        workers.withdraw(signer);
        vm.expectRevert(WorkerRegistry.ZeroAmount.selector);
        workers.unbond(signer, 0);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.InsufficientStake.selector, signer, 3 ether, 2 ether));
        workers.unbond(signer, 3 ether);
        workers.unbond(signer, 1.5 ether);
        assertFalse(workers.isActive(signer), "0.5 ether left is below the minimum");
        uint64 availableAt = uint64(block.timestamp) + UNBONDING_DELAY;
        vm.expectRevert(
            abi.encodeWithSelector(WorkerRegistry.StillUnbonding.selector, signer, availableAt, block.timestamp)
        );
        workers.withdraw(signer);
        vm.warp(availableAt);
        uint256 before = OPERATOR_1.balance;
        workers.withdraw(signer);
        vm.stopPrank();
        assertEq(OPERATOR_1.balance - before, 1.5 ether, "withdrawn");
        assertEq(address(workers).balance, 0.5 ether + MIN_STAKE + 2 * MIN_STAKE, "stakes held");
    }

    function test_onlyTheOperatorManagesStake() public {
        address signer = vm.addr(KEY_1);
        vm.deal(OTHER, 1 ether);
        vm.startPrank(OTHER);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotOperator.selector, signer, OTHER, OPERATOR_1));
        workers.addStake{value: 1 ether}(signer);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotOperator.selector, signer, OTHER, OPERATOR_1));
        workers.unbond(signer, 1);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotOperator.selector, signer, OTHER, OPERATOR_1));
        workers.withdraw(signer);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.UnknownWorker.selector, address(0xBEEF)));
        workers.unbond(address(0xBEEF), 1);
        vm.stopPrank();
    }

    function test_withdraw_revertsWhenTheOperatorRejectsEth() public {
        RejectingOperator op = new RejectingOperator();
        bytes memory proof = _sign(KEY_NEW, workers.workerKeyDigest(address(op)));
        op.register{value: MIN_STAKE}(workers, vm.addr(KEY_NEW), proof);
        op.unbond(workers, vm.addr(KEY_NEW), MIN_STAKE);
        vm.warp(vm.getBlockTimestamp() + UNBONDING_DELAY);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.TransferFailed.selector, address(op), MIN_STAKE));
        op.withdraw(workers, vm.addr(KEY_NEW));
    }

    function test_slash_onlyByTheHubAndBansTheKey() public {
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotHub.selector, OTHER));
        vm.prank(OTHER);
        workers.slash(vm.addr(KEY_1), OTHER);

        vm.prank(address(hub));
        assertEq(workers.slash(vm.addr(KEY_1), OTHER), MIN_STAKE, "slashed");
        vm.deal(OPERATOR_1, 2 * MIN_STAKE);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.UnknownWorker.selector, vm.addr(KEY_1)));
        vm.prank(OPERATOR_1);
        workers.addStake{value: MIN_STAKE}(vm.addr(KEY_1));
        assertFalse(workers.isActive(vm.addr(KEY_1)), "a slashed key stays inactive");
        bytes memory proof = _sign(KEY_1, workers.workerKeyDigest(OPERATOR_1));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.KeyBanned.selector, vm.addr(KEY_1)));
        vm.prank(OPERATOR_1);
        workers.register{value: MIN_STAKE}(vm.addr(KEY_1), proof);
    }

    function test_admin() public {
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.HubAlreadySet.selector, address(hub)));
        vm.prank(OWNER);
        workers.setHub(OTHER);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, OTHER));
        vm.prank(OTHER);
        workers.setMinStake(0);
        vm.startPrank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.InvalidBps.selector, 10_001));
        workers.setSlashRewardBps(10_001);
        workers.setSlashRewardBps(5_000);
        workers.setUnbondingDelay(1 days);
        vm.stopPrank();
        assertEq(workers.slashRewardBps(), 5_000, "reward");
        assertEq(workers.unbondingDelay(), 1 days, "delay");
        WorkerRegistry fresh = new WorkerRegistry(OWNER, 0, 0, 0);
        vm.expectRevert(WorkerRegistry.ZeroAddress.selector);
        vm.prank(OWNER);
        fresh.setHub(address(0));
    }

    function _recover(bytes32 digest, bytes memory sig) internal pure returns (address) {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly {
            r := mload(add(sig, 32))
            s := mload(add(sig, 64))
            v := byte(0, mload(add(sig, 96)))
        }
        return ecrecover(digest, v, r, s);
    }
}

contract RewardVaultTest is CredenceFixture {
    function _settleOne() internal {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        _settle(id, req, _keys(KEY_1));
    }

    function test_claim_paysEverythingOwedOnce() public {
        _settleOne();
        _settleOne();
        uint256 owed = vault.claimable(PROVIDER);
        assertGe(owed, 1, "provider owed");
        uint256 before = PROVIDER.balance;
        vm.expectEmit(true, true, false, true, address(vault));
        emit RewardVault.Claimed(PROVIDER, PROVIDER, owed);
        vm.prank(PROVIDER);
        assertEq(vault.claim(_ids(model1)), owed, "claimed");
        assertEq(PROVIDER.balance - before, owed, "paid");
        assertEq(vault.claimable(PROVIDER), 0, "nothing left");
        vm.expectRevert(abi.encodeWithSelector(RewardVault.NothingToClaim.selector, PROVIDER));
        vm.prank(PROVIDER);
        vault.claim(_ids(model1));
        // the pools of everyone else were distributed, not lost
        assertEq(vault.pendingPool(model1), 0, "pool distributed");
        assertEq(vault.balanceOf(AUTHOR), vault.claimable(AUTHOR), "author's share credited");
    }

    function test_claimTo_andDistributeByAnyone() public {
        _settleOne();
        vm.expectEmit(true, false, false, true, address(vault));
        emit RewardVault.ModelPoolDistributed(model1, vault.pendingPool(model1));
        vault.distribute(model1);
        uint256 owed = vault.claimable(AUTHOR);
        vm.expectRevert(RewardVault.ZeroRecipient.selector);
        vm.prank(AUTHOR);
        vault.claimTo(payable(address(0)), new uint256[](0));
        vm.prank(AUTHOR);
        vault.claimTo(payable(address(0xCAFE)), new uint256[](0));
        assertEq(address(0xCAFE).balance, owed, "paid elsewhere");
    }

    function test_claim_maliciousClaimantCannotReenter() public {
        ReentrantClaimant claimant = new ReentrantClaimant(vault);
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](1);
        list[0] = ModelRegistry.Contributor(address(claimant), 1, 10_000, bytes32(0));
        vm.prank(AUTHOR);
        uint256 model = registry.registerModel(MODEL_HASH, "file:m", FEE, 1, list);
        (uint256 id, InferenceHub.Request memory req) = _request(model, FEE);
        _settle(id, req, _keys(KEY_1));
        uint256 owed = vault.claimable(address(claimant));
        claimant.setModels(_ids(model));
        claimant.claim();
        assertEq(address(claimant).balance, owed, "paid once");
        assertEq(claimant.reentries(), 1, "tried to re-enter");
        assertTrue(claimant.reentryFailed(), "re-entry refused");
        assertEq(address(vault).balance, _claimableTotal(), "vault solvent");
    }

    function test_claim_revertsWhenTheClaimantRejectsEth() public {
        RejectingClaimant claimant = new RejectingClaimant();
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](1);
        list[0] = ModelRegistry.Contributor(address(claimant), 1, 10_000, bytes32(0));
        vm.prank(AUTHOR);
        uint256 model = registry.registerModel(MODEL_HASH, "file:m", FEE, 1, list);
        (uint256 id, InferenceHub.Request memory req) = _request(model, FEE);
        _settle(id, req, _keys(KEY_1));
        uint256 owed = vault.claimable(address(claimant));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.TransferFailed.selector, address(claimant), owed));
        claimant.claim(vault, _ids(model));
        claimant.claimTo(vault, payable(address(0xCAFE)), _ids(model));
        assertEq(address(0xCAFE).balance, owed, "claimTo is the way out");
    }

    function _ids(uint256 a) internal pure returns (uint256[] memory ids) {
        ids = new uint256[](1);
        ids[0] = a;
    }

    /// Anyone may name any address as a contributor of their models; that must never make the
    /// address's own payouts (here the treasury's) costly or impossible to claim.
    function test_claim_unsolicitedContributionsCannotBlockAClaim() public {
        _settleOne();
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](64);
        for (uint256 i; i < 64; ++i) {
            list[i] = ModelRegistry.Contributor(TREASURY, 3, i == 0 ? 10_000 - 63 : 1, bytes32(0));
        }
        vm.startPrank(OTHER);
        for (uint256 m; m < 10; ++m) {
            registry.registerModel(MODEL_HASH, "file:spam", 0, 1, list);
        }
        vm.stopPrank();
        uint256 owed = vault.claimable(TREASURY);
        uint256 gasBefore = gasleft();
        vm.prank(TREASURY);
        assertEq(vault.claim(), owed, "paid in full");
        assertLe(gasBefore - gasleft(), 100_000, "claim gas does not depend on unsolicited entries");
    }

    function test_treasury_onlyOwnerAndCollectsWhatAccrued() public {
        _settleOne();
        uint256 accrued = vault.protocolFeesAccrued();
        assertEq(accrued, FEE * PROTOCOL_BPS / 10_000, "accrued");
        assertEq(vault.claimable(TREASURY), accrued, "claimable by the treasury");
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, OTHER));
        vm.prank(OTHER);
        hub.setTreasury(OTHER);
        vm.expectRevert(RewardVault.ZeroTreasury.selector);
        vm.prank(OWNER);
        hub.setTreasury(address(0));
        address next = address(0x7EA6);
        vm.expectEmit(true, true, false, false, address(hub));
        emit RewardVault.TreasuryChanged(TREASURY, next);
        vm.prank(OWNER);
        hub.setTreasury(next);
        assertEq(vault.treasury(), next, "moved");
        assertEq(vault.balanceOf(TREASURY), accrued, "what accrued before stays with the old treasury");
        _settleOne();
        assertEq(vault.claimable(next), accrued, "new fees go to the new treasury");
        vault.collectProtocolFees();
        assertEq(vault.balanceOf(next), accrued, "collected");
        assertEq(vault.protocolFeesAccrued(), 0, "nothing accrued");
    }

    function test_ownershipIsTwoStep() public {
        vm.prank(OWNER);
        hub.transferOwnership(OTHER);
        assertEq(hub.owner(), OWNER, "still owner until accepted");
        vm.prank(OTHER);
        hub.acceptOwnership();
        assertEq(hub.owner(), OTHER, "accepted");
    }

    /// Distribution gives every wei of a pool to the model's contributors, whatever the shares.
    function testFuzz_distribution_exactForAnyShares(uint256 pool, uint16 a, uint16 b) public {
        pool = bound(pool, 1, 1e24);
        uint256 sa = bound(a, 1, 9_998);
        uint256 sb = bound(b, 1, 9_999 - sa);
        ModelRegistry.Contributor[] memory list = new ModelRegistry.Contributor[](3);
        list[0] = ModelRegistry.Contributor(address(0xC0), 1, uint16(10_000 - sa - sb), bytes32(0));
        list[1] = ModelRegistry.Contributor(address(0xC1), 3, uint16(sa), bytes32(0));
        list[2] = ModelRegistry.Contributor(address(0xC2), 3, uint16(sb), bytes32(0));
        vm.prank(AUTHOR);
        uint256 model = registry.registerModel(MODEL_HASH, "file:m", 0, 1, list);
        vm.prank(OWNER);
        hub.setSplit(0, 0); // the whole fee is the contributors' pool
        vm.deal(DAPP, pool);
        (uint256 id, InferenceHub.Request memory req) = _request(model, pool);
        _settle(id, req, _keys(KEY_1));
        assertEq(vault.pendingPool(model), pool, "pool");
        uint256 owed = vault.claimable(address(0xC0)) + vault.claimable(address(0xC1)) + vault.claimable(address(0xC2));
        assertEq(owed, pool, "claimable == pool");
        vault.distribute(model);
        assertEq(
            vault.balanceOf(address(0xC0)) + vault.balanceOf(address(0xC1)) + vault.balanceOf(address(0xC2)),
            pool,
            "distributed == pool"
        );
    }
}
