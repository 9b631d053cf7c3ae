// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CourtFixture} from "./utils/CourtFixture.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {WorkerRegistry} from "../src/WorkerRegistry.sol";
import {DisputeCourt} from "../src/DisputeCourt.sol";
import {SettlementRecords} from "../src/SettlementRecords.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

contract DisputeCourtTest is CourtFixture {
    // ------------------------------------------------------------ batch records

    function test_record_oneSlotPerBatchProvesWhatSettled() public {
        Settled memory s = _settleBatch(model1, 3, _keys(KEY_1));
        uint256 first = s.batch.batchId;
        bytes32 record = SettlementRecords.record(
            SettlementRecords.leavesHash(s.batch.leaves), s.batch.settledBlock, s.batch.settledAt
        );
        assertEq(hub.batchRecord(first), record, "record in the first request's slot");
        assertEq(hub.batchRecord(first + 1), bytes32(0), "no record elsewhere");
        assertFalse(hub.isPending(first), "a record is not a pending request");
        assertEq(hub.commitmentOf(first), bytes32(0), "nor a commitment");
        // settled again: skipped; expired: not pending
        InferenceHub.Receipt[] memory again = new InferenceHub.Receipt[](1);
        again[0] = _receipt(first, s.leaves[0].request, _output(), _keys(KEY_1));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, first));
        hub.submitReceipts(again);
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, first));
        hub.expire(first, s.leaves[0].request);
    }

    /// The in-place hashing settlement uses is exactly the documented formula.
    function testFuzz_records_matchTheirFormulas(
        uint256 id,
        bytes32 commitment,
        bytes32 outputHash,
        address a,
        address b,
        bytes32 other,
        uint64 settledBlock,
        uint64 settledAt
    ) public pure {
        address[] memory signers = new address[](2);
        (signers[0], signers[1]) = (a, b);
        bytes32 leaf = SettlementRecords.leaf(id, commitment, outputHash, signers);
        assertEq(leaf, keccak256(abi.encode(id, commitment, outputHash, keccak256(abi.encodePacked(signers)))), "leaf");
        bytes32[] memory leaves = new bytes32[](2);
        (leaves[0], leaves[1]) = (leaf, other);
        bytes32 hash = SettlementRecords.leavesHash(leaves);
        assertEq(hash, keccak256(abi.encodePacked(leaves)), "leaves");
        bytes32 record = SettlementRecords.record(hash, settledBlock, settledAt);
        assertEq(record, bytes32(uint256(keccak256(abi.encode(hash, settledBlock, settledAt))) | (1 << 255)), "record");
        assertTrue(SettlementRecords.isRecord(record), "a record");
        assertFalse(SettlementRecords.isRecord(SettlementRecords.commitment(other)), "a commitment");
    }

    function test_record_onlyReceiptsLeaveOne() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        hub.submitFailures(_oneFailure(_failure(id, req, 3, _keys(KEY_1))));
        assertEq(hub.batchRecord(id), bytes32(0), "a failure leaves no record");
    }

    // ------------------------------------------------------------------ audits

    function test_audit_atFullRateProvesALieAndPaysEveryoneToTheWei() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 held = _heldByProtocol();
        assertEq(_drawAudits(s), 1, "audited");
        DisputeCourt.Dispute memory d = court.dispute(1);
        assertEq(d.kind, court.KIND_AUDIT(), "kind");
        assertEq(d.state, court.STATE_VOTING(), "voting");
        assertEq(d.jurors.length, 3, "jury");
        assertEq(d.toleranceMode, 1, "the model's tolerance, kept");
        (uint8 mode,,) = court.toleranceOf(1);
        assertEq(mode, 1, "toleranceOf");
        _assertJuryExcludes(d.jurors, vm.addr(KEY_1));
        assertEq(court.openDisputeOf(s.batch.batchId), 1, "open");
        (,,,,, bool activeBefore) = workers.worker(vm.addr(KEY_1));
        assertTrue(activeBefore, "active until proven");

        uint256 dappBefore = vault.balanceOf(DAPP);
        _vote(1, 7);

        d = court.dispute(1);
        assertEq(d.state, court.STATE_FAULT_PROVEN(), "fault proven");
        assertEq(d.faultOutputHash, WRONG, "jury's output");
        assertEq(court.faultOf(s.batch.batchId), 1, "faultOf");
        assertEq(court.openDisputeOf(s.batch.batchId), 0, "closed");
        assertFalse(workers.isActive(vm.addr(KEY_1)), "liar banned");
        uint256 rest = MIN_STAKE - FEE;
        uint256 reward = rest * CHALLENGER_REWARD_BPS / 10_000;
        uint256 jurorEach = rest * JUROR_REWARD_BPS / 10_000 / 3;
        assertEq(vault.balanceOf(DAPP) - dappBefore, FEE, "requester refunded");
        assertEq(vault.balanceOf(address(this)), reward, "drawer rewarded");
        for (uint256 i; i < 3; ++i) {
            (address operator,,,,,) = workers.worker(d.jurors[i]);
            assertEq(vault.balanceOf(operator) - _workerPay(operator, s), jurorEach, "juror paid");
        }
        assertEq(_heldByProtocol(), held + MIN_STAKE, "the stake moved into the hub, nothing else");
        assertEq(address(court).balance, 0, "court keeps nothing");
    }

    function test_audit_honestAnswersAreUpheldAndNothingMoves() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleBatch(model1, 4, _keys(KEY_2));
        uint256 held = _heldByProtocol();
        assertEq(_drawAudits(s), 4, "all audited");
        for (uint256 id = 1; id <= 4; ++id) {
            _vote(id, 0);
            assertEq(court.dispute(id).state, court.STATE_UPHELD(), "upheld");
        }
        assertTrue(workers.isActive(vm.addr(KEY_2)), "honest worker keeps its stake");
        assertEq(_heldByProtocol(), held, "nothing moved");
    }

    function test_audit_rateSelectsAboutItsShare() public {
        _setTerms(model1, 2_500, 1);
        uint256 audited;
        uint256 total;
        for (uint256 b; b < 8; ++b) {
            Settled memory s = _settleBatch(model1, 16, _keys(KEY_1));
            audited += _drawAudits(s);
            total += 16;
        }
        // 128 draws at 25 %: expected 32; the seed is fixed, so this is deterministic
        assertGe(audited, 16, "not too few");
        assertLe(audited, 48, "not too many");
        assertEq(court.disputeCount(), audited, "one dispute per audit");
    }

    function test_audit_zeroRateAuditsNothing() public {
        _setTerms(model1, 0, 3);
        Settled memory s = _settleBatch(model1, 4, _keys(KEY_1));
        assertEq(_drawAudits(s), 0, "none");
        assertTrue(court.auditsDrawn(s.batch.batchId), "drawn all the same");
    }

    function test_audit_reverts() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleBatch(model1, 2, _keys(KEY_1));
        uint256 b = s.batch.batchId;
        vm.expectRevert(
            abi.encodeWithSelector(DisputeCourt.SeedNotReady.selector, s.batch.settledBlock + 1, block.number)
        );
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt, s.leaves);
        vm.roll(vm.getBlockNumber() + 2);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.EmptyBatch.selector, b));
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt, new DisputeCourt.Leaf[](0));
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.UnknownBatch.selector, b + 1));
        court.drawAudits(b + 1, s.batch.settledBlock, s.batch.settledAt, s.leaves);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.BatchMismatch.selector, b));
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt + 1, s.leaves);
        DisputeCourt.Leaf[] memory forged = s.leaves;
        forged[1].outputHash = WRONG;
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.BatchMismatch.selector, b));
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt, forged);
        forged[1].outputHash = keccak256(_output());
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt, s.leaves);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.AuditsAlreadyDrawn.selector, b));
        court.drawAudits(b, s.batch.settledBlock, s.batch.settledAt, s.leaves);

        Settled memory late = _settleOne(model1, KEY_1);
        vm.roll(vm.getBlockNumber() + 300);
        vm.expectRevert(
            abi.encodeWithSelector(DisputeCourt.SeedExpired.selector, late.batch.batchId, late.batch.settledBlock + 1)
        );
        court.drawAudits(late.batch.batchId, late.batch.settledBlock, late.batch.settledAt, late.leaves);
    }

    function test_audit_skipsAnswersAlreadyInDispute() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 challengeId = _challenge(s, 0);
        vm.expectEmit(true, true, true, true, address(court));
        emit DisputeCourt.AuditSkipped(s.batch.batchId, s.batch.batchId, court.AUDIT_SKIP_DISPUTED());
        assertEq(court.drawAudits(s.batch.batchId, s.batch.settledBlock, s.batch.settledAt, s.leaves), 0, "skipped");
        assertEq(court.openDisputeOf(s.batch.batchId), challengeId, "the challenge stays");
    }

    // -------------------------------------------------------------- challenges

    function test_challenge_againstAnHonestAnswerLosesTheBond() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 bond = court.requiredBond(FEE);
        assertEq(bond, 10 * FEE, "bond: ten fees");
        uint256 held = _heldByProtocol();
        uint256 id = _challenge(s, 0);
        DisputeCourt.Dispute memory d = court.dispute(id);
        assertEq(d.kind, court.KIND_CHALLENGE(), "kind");
        assertEq(d.jurors.length, 4, "challenge jury of 5, but only 4 keys are eligible");
        assertEq(address(court).balance, bond, "bond escrowed");
        _vote(id, 0);
        d = court.dispute(id);
        assertEq(d.state, court.STATE_UPHELD(), "upheld");
        uint256 jurorEach = bond * JUROR_REWARD_BPS / 10_000 / 4;
        uint256 workerPart = bond - 4 * jurorEach;
        assertEq(vault.balanceOf(OPERATOR_1), _workerPay(OPERATOR_1, s) + workerPart, "the worker gets the rest");
        assertEq(vault.balanceOf(CHALLENGER), 0, "challenger gets nothing");
        assertEq(_heldByProtocol(), held + bond, "bond moved to the hub");
        assertTrue(workers.isActive(vm.addr(KEY_1)), "not slashed");
    }

    function test_challenge_ofALieReturnsTheBondWithAReward() public {
        Settled memory s = _settleBatch(model2, 1, _keys(KEY_1, KEY_2));
        uint256 id = _challenge(s, 0);
        DisputeCourt.Dispute memory d = court.dispute(id);
        assertEq(d.jurors.length, 3, "both signers excluded");
        _assertJuryExcludes(d.jurors, vm.addr(KEY_1));
        _assertJuryExcludes(d.jurors, vm.addr(KEY_2));
        _vote(id, 3); // two of three disagree
        assertEq(court.dispute(id).state, court.STATE_FAULT_PROVEN(), "fault");
        assertFalse(workers.isActive(vm.addr(KEY_1)), "signer 1 slashed");
        assertFalse(workers.isActive(vm.addr(KEY_2)), "signer 2 slashed");
        uint256 rest = 2 * MIN_STAKE - FEE;
        assertEq(vault.balanceOf(CHALLENGER), 10 * FEE + rest * CHALLENGER_REWARD_BPS / 10_000, "bond back plus reward");
        (address agreeing,,,,,) = workers.worker(d.jurors[2]);
        assertEq(vault.balanceOf(agreeing) - _workerPay(agreeing, s), 0, "the juror in the minority is not paid");
    }

    function test_challenge_withoutMajorityReturnsTheBondLessVotersPay() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 id = _challenge(s, 0);
        _voteSome(id, 1, 3); // 4 jurors: one disagrees, one agrees, two absent
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.VotingOpen.selector, id, court.dispute(id).verdictDeadline));
        court.resolve(id);
        vm.warp(vm.getBlockTimestamp() + VERDICT_WINDOW + 1);
        court.resolve(id);
        assertEq(court.dispute(id).state, court.STATE_NO_MAJORITY(), "no majority");
        uint256 bond = 10 * FEE;
        uint256 each = bond * JUROR_REWARD_BPS / 10_000 / 2;
        assertEq(vault.balanceOf(CHALLENGER), bond - 2 * each, "bond back less the voters' pay");
        assertTrue(workers.isActive(vm.addr(KEY_1)), "not slashed");
    }

    function test_challenge_reverts() public {
        Settled memory s = _settleBatch(model1, 2, _keys(KEY_1));
        uint256 bond = court.requiredBond(FEE);
        vm.startPrank(CHALLENGER);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.LeafMismatch.selector, s.batch.batchId, 1));
        court.challenge{value: bond}(s.batch, 1, s.leaves[0]);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.LeafMismatch.selector, s.batch.batchId, 2));
        court.challenge{value: bond}(s.batch, 2, s.leaves[0]);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.BondTooLow.selector, bond - 1, bond));
        court.challenge{value: bond - 1}(s.batch, 0, s.leaves[0]);
        DisputeCourt.Batch memory wrongTime = s.batch;
        wrongTime.settledAt -= 1;
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.BatchMismatch.selector, s.batch.batchId));
        court.challenge{value: bond}(wrongTime, 0, s.leaves[0]);
        wrongTime.settledAt += 1;
        uint256 id = court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.DisputeAlreadyOpen.selector, s.batch.batchId, id));
        court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.stopPrank();

        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.SeedNotReady.selector, block.number + 1, block.number));
        court.drawJury(id);
        vm.roll(vm.getBlockNumber() + 2);
        court.drawJury(id);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.NotAwaitingJury.selector, id, court.STATE_VOTING()));
        court.drawJury(id);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.UnknownDispute.selector, 99));
        court.drawJury(99);
        _vote(id, type(uint256).max);
        vm.prank(CHALLENGER);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.AlreadyOverturned.selector, s.batch.batchId, id));
        court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.NotVoting.selector, id, court.STATE_FAULT_PROVEN()));
        court.resolve(id);

        vm.warp(vm.getBlockTimestamp() + WINDOW + 1);
        vm.prank(CHALLENGER);
        vm.expectRevert(
            abi.encodeWithSelector(
                DisputeCourt.ChallengeWindowClosed.selector, s.batch.batchId + 1, s.batch.settledAt + WINDOW
            )
        );
        court.challenge{value: bond}(s.batch, 1, s.leaves[1]);
    }

    function test_drawJury_fixesANewSeedWhenTheOldOneIsGone() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 bond = court.requiredBond(FEE);
        vm.prank(CHALLENGER);
        uint256 id = court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.roll(vm.getBlockNumber() + 400);
        vm.expectEmit(true, true, true, true, address(court));
        emit DisputeCourt.JuryDrawDeferred(id, uint64(block.number + 1));
        court.drawJury(id);
        assertEq(court.dispute(id).state, court.STATE_AWAITING_JURY(), "still awaiting");
        vm.roll(vm.getBlockNumber() + 2);
        court.drawJury(id);
        assertEq(court.dispute(id).state, court.STATE_VOTING(), "drawn");
    }

    function test_drawJury_keysRegisteredAfterTheSeedBlockCannotSit() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 bond = court.requiredBond(FEE);
        vm.prank(CHALLENGER);
        uint256 id = court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.roll(vm.getBlockNumber() + 1); // the seed block
        _registerWorker(0xB1, address(0x0B01), MIN_STAKE);
        vm.roll(vm.getBlockNumber() + 1);
        court.drawJury(id);
        _assertJuryExcludes(court.dispute(id).jurors, vm.addr(0xB1));
    }

    function test_noEligibleJurorResolvesWithoutMajority() public {
        // only KEY_1 stays active: every other key unbonds its whole stake
        uint256[5] memory keys = _allKeys();
        address[5] memory operators = [OPERATOR_1, OPERATOR_2, OPERATOR_3, OPERATOR_4, OPERATOR_5];
        for (uint256 i = 1; i < 5; ++i) {
            (, uint256 stake,,,,) = workers.worker(vm.addr(keys[i]));
            vm.prank(operators[i]);
            workers.unbond(vm.addr(keys[i]), stake);
        }
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 id = _challenge(s, 0);
        assertEq(court.dispute(id).state, court.STATE_NO_MAJORITY(), "no jury, no majority");
        assertEq(vault.balanceOf(CHALLENGER), 10 * FEE, "whole bond back");
    }

    // ----------------------------------------------------------------- verdicts

    function test_verdicts_reverts() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 id = _challenge(s, 0);
        DisputeCourt.Dispute memory d = court.dispute(id);
        DisputeCourt.Verdict[] memory list = new DisputeCourt.Verdict[](1);
        vm.expectRevert(DisputeCourt.EmptyVerdicts.selector);
        court.submitVerdicts(new DisputeCourt.Verdict[](0));
        list[0] = _verdict(KEY_1, id, d.outputHash, true); // the signer is no juror
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.NotJuror.selector, id, vm.addr(KEY_1)));
        court.submitVerdicts(list);
        uint256 juror = _keyOf(d.jurors[0]);
        list[0] = _verdict(juror, id, d.outputHash, false);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.InconsistentVerdict.selector, id, d.jurors[0]));
        court.submitVerdicts(list);
        list[0] = _verdict(juror, id, d.outputHash, true);
        list[0].signature[64] = 0x05;
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.InvalidVerdictSignature.selector, id, 0));
        court.submitVerdicts(list);
        list[0] = _verdict(juror, id, d.outputHash, true);
        list[0].agrees = false; // a signature over another verdict recovers another key
        vm.expectRevert();
        court.submitVerdicts(list);
        list[0] = _verdict(juror, id, d.outputHash, true);
        assertEq(court.submitVerdicts(list), 1, "recorded");
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.VerdictAlreadyRecorded.selector, id, d.jurors[0]));
        court.submitVerdicts(list);
        vm.warp(vm.getBlockTimestamp() + VERDICT_WINDOW + 1);
        list[0] = _verdict(_keyOf(d.jurors[1]), id, d.outputHash, true);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.VotingClosed.selector, id));
        court.submitVerdicts(list);
        list[0] = _verdict(juror, 42, d.outputHash, true);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.UnknownDispute.selector, 42));
        court.submitVerdicts(list);
    }

    function test_verdicts_aBatchSkipsWhatWasRecordedAndRecordsTheRest() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 id = _challenge(s, 0);
        DisputeCourt.Dispute memory d = court.dispute(id);
        _voteSome(id, 0, 1);
        DisputeCourt.Verdict[] memory list = new DisputeCourt.Verdict[](2);
        list[0] = _verdict(_keyOf(d.jurors[0]), id, d.outputHash, true);
        list[1] = _verdict(_keyOf(d.jurors[1]), id, d.outputHash, true);
        vm.expectEmit(true, true, true, true, address(court));
        emit DisputeCourt.VerdictSkipped(id, d.jurors[0], court.VERDICT_SKIP_RECORDED());
        assertEq(court.submitVerdicts(list), 1, "one new");
    }

    function test_verdict_digestFollowsEip712UnderTheHubsDomain() public view {
        bytes32 structHash = keccak256(
            abi.encode(court.VERDICT_TYPEHASH(), uint256(7), uint256(3), bytes32("out"), bytes32("mine"), false)
        );
        assertEq(
            court.verdictDigest(7, 3, "out", "mine", false),
            keccak256(abi.encodePacked(hex"1901", hub.domainSeparator(), structHash)),
            "digest"
        );
    }

    // ------------------------------------------------------- stake and unbonding

    function test_stake_cannotLeaveWhileADisputeIsOpen() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 id = _challenge(s, 0);
        address signer = vm.addr(KEY_1);
        vm.prank(OPERATOR_1);
        workers.unbond(signer, MIN_STAKE);
        vm.warp(vm.getBlockTimestamp() + UNBONDING_DELAY + 1);
        vm.prank(OPERATOR_1);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.StakeOnHold.selector, signer, 1));
        workers.withdraw(signer);
        court.resolve(id); // the jury never answered: no majority
        vm.prank(OPERATOR_1);
        workers.withdraw(signer);
    }

    function test_stake_unbondingOutlivesEveryDispute() public {
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.DelayTooShort.selector, WINDOW, WINDOW + VERDICT_WINDOW));
        workers.setUnbondingDelay(WINDOW);
        vm.prank(AUTHOR);
        vm.expectRevert(
            abi.encodeWithSelector(DisputeCourt.SpanTooLong.selector, 7 days + VERDICT_WINDOW, UNBONDING_DELAY)
        );
        court.setModelTerms(model1, DisputeCourt.Terms(7 days, 100, 3, 1, 0, 0));
        DisputeCourt.Params memory p = _params();
        p.verdictWindow = 6 days + 1;
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.SpanTooLong.selector, 7 days + 1, UNBONDING_DELAY));
        court.setParams(p);
        assertEq(court.longestDisputeSpan(), WINDOW + VERDICT_WINDOW, "span");
    }

    function test_seizeHoldRelease_onlyTheCourt() public {
        address signer = vm.addr(KEY_1);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotCourt.selector, address(this)));
        workers.seize(signer);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotCourt.selector, address(this)));
        workers.hold(signer);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotCourt.selector, address(this)));
        workers.release(signer);
        vm.prank(address(court));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NotHeld.selector, signer));
        workers.release(signer);
        vm.prank(address(court));
        assertEq(workers.seize(address(0xdead)), 0, "nothing to seize");
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.NotWorkerRegistry.selector, address(this)));
        court.depositSlashed(address(0), 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotCourt.selector, address(this)));
        hub.creditFromCourt(new address[](0), new uint256[](0), 0);
    }

    function test_guards_everyEntryPointThatMovesValue() public {
        vm.deal(address(court), 1 ether);
        vm.prank(address(court));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.CreditMismatch.selector, 2, 1));
        hub.creditFromCourt{value: 1}(_addresses(DAPP), _amounts(1), 1);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotWorkerRegistry.selector, address(this)));
        hub.syncMinStake(0);
        vm.expectRevert(DisputeCourt.ZeroAddress.selector);
        new DisputeCourt(OWNER, InferenceHub(address(0)), workers, registry, _params(), _defaults());
        vm.startPrank(OWNER);
        vm.expectRevert(InferenceHub.ZeroAddress.selector);
        hub.setCourt(address(0));
        vm.expectRevert(WorkerRegistry.ZeroAddress.selector);
        workers.setCourt(address(0));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.StakeTooLarge.selector, uint256(1) << 96));
        workers.setMinStake(uint256(1) << 96);
        vm.stopPrank();
    }

    function test_minStake_reachesTheHubAtOnce() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        vm.prank(OWNER);
        workers.setMinStake(2 * MIN_STAKE); // KEY_1 has MIN_STAKE: no longer active
        InferenceHub.Receipt[] memory byKey1 = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.InactiveWorker.selector, vm.addr(KEY_1)));
        hub.submitReceipts(byKey1);
        hub.submitReceipts(_one(_receipt(id, req, _output(), _keys(KEY_3)))); // 2 * MIN_STAKE
    }

    function test_jurors_poolTracksRegistrationAndBans() public {
        assertEq(workers.keyCount(), 5, "five keys");
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        _drawAudits(s);
        _vote(1, 7);
        assertEq(workers.keyCount(), 4, "the liar left the pool");
        for (uint256 i; i < 4; ++i) {
            assertTrue(workers.keyAt(i) != vm.addr(KEY_1), "not in the pool");
        }
    }

    // ---------------------------------------------------------- several faults

    function test_faults_everyLieOfOneKeyIsRefundedFromItsStake() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleBatch(model1, 3, _keys(KEY_1));
        uint256 held = _heldByProtocol();
        uint256 dappBefore = vault.balanceOf(DAPP);
        assertEq(_drawAudits(s), 3, "three audits");
        _vote(1, 7);
        (uint256 kept, uint256 exposure) = court.forfeitOf(vm.addr(KEY_1));
        assertEq(kept, 2 * FEE, "kept for the two open disputes");
        assertEq(exposure, 2 * FEE, "two fees exposed");
        _vote(2, 7);
        _vote(3, 0); // the last audit's jury agrees: what was kept goes to the protocol
        (kept, exposure) = court.forfeitOf(vm.addr(KEY_1));
        assertEq(kept + exposure, 0, "nothing kept");
        assertEq(vault.balanceOf(DAPP) - dappBefore, 2 * FEE, "both lies refunded");
        assertEq(_heldByProtocol(), held + MIN_STAKE, "stake moved into the hub");
        assertEq(address(court).balance, 0, "court keeps nothing");
    }

    // ------------------------------------------------------------------- fuzz

    /// Whatever the votes, fees, stakes and bonds: everything credited is exactly the slashed
    /// stake plus the bond, the court ends empty, and only a majority of disagreement slashes.
    function testFuzz_resolution_paysExactlyWhatCameIn(uint256 votes, uint256 voters, uint256 fee, bool quorumTwo)
        public
    {
        fee = bound(fee, 1, 5 ether);
        Settled memory s =
            _settleAtFee(quorumTwo ? model2 : model1, fee, quorumTwo ? _keys(KEY_1, KEY_3) : _keys(KEY_3));
        uint256 before = address(workers).balance + _heldByProtocol();
        uint256 id = _challenge(s, 0);
        uint256 n = court.dispute(id).jurors.length;
        voters = voters & ((1 << n) - 1);
        if (voters != 0) _voteSome(id, votes, voters);
        if (court.dispute(id).state == court.STATE_VOTING()) {
            vm.warp(vm.getBlockTimestamp() + VERDICT_WINDOW + 1);
            court.resolve(id);
        }
        assertEq(address(court).balance, 0, "court empty");
        assertEq(
            address(workers).balance + _heldByProtocol(),
            before + court.requiredBond(fee),
            "credited == bond + slashed, to the wei"
        );
        uint256 disagreed;
        for (uint256 i; i < n; ++i) {
            if (voters & votes & (1 << i) != 0) disagreed++;
        }
        bool fault = disagreed * 2 > n;
        assertEq(court.dispute(id).state == court.STATE_FAULT_PROVEN(), fault, "fault iff a majority disagreed");
        assertEq(workers.isActive(s.leaves[0].signers[0]), !fault, "slashed iff fault");
    }

    function _settleAtFee(uint256 modelId, uint256 fee, uint256[] memory keys) internal returns (Settled memory s) {
        vm.prank(AUTHOR);
        registry.setModelFee(modelId, fee);
        (uint256 rid, InferenceHub.Request memory req) = _request(modelId, fee);
        hub.submitReceipts(_one(_receipt(rid, req, _output(), keys)));
        s.leaves = new DisputeCourt.Leaf[](1);
        s.leaves[0] = DisputeCourt.Leaf(rid, req, keccak256(_output()), _signersOf(keys));
        s.batch.leaves = new bytes32[](1);
        s.batch.leaves[0] = SettlementRecords.leaf(
            rid, SettlementRecords.commitment(keccak256(abi.encode(req))), keccak256(_output()), _signersOf(keys)
        );
        s.batch.batchId = rid;
        s.batch.settledBlock = uint64(block.number);
        s.batch.settledAt = uint64(block.timestamp);
    }

    // ------------------------------------------------------------------- admin

    function test_admin_termsAndParams() public {
        vm.expectRevert(abi.encodeWithSelector(DisputeCourt.NotModelOwner.selector, model1, address(this)));
        court.setModelTerms(model1, _defaults());
        DisputeCourt.Terms memory bad = _defaults();
        bad.jurySize = 0;
        vm.prank(AUTHOR);
        vm.expectRevert(DisputeCourt.InvalidTerms.selector);
        court.setModelTerms(model1, bad);
        bad = _defaults();
        bad.toleranceMode = 4;
        vm.prank(AUTHOR);
        vm.expectRevert(DisputeCourt.InvalidTerms.selector);
        court.setModelTerms(model1, bad);
        bad = _defaults();
        bad.challengeWindow = 60;
        vm.prank(AUTHOR);
        vm.expectRevert(DisputeCourt.InvalidTerms.selector);
        court.setModelTerms(model1, bad);
        DisputeCourt.Params memory p = _params();
        p.jurorRewardBps = 9_000;
        vm.prank(OWNER);
        vm.expectRevert(DisputeCourt.InvalidParams.selector);
        court.setParams(p);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        court.setParams(_params());
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, address(this)));
        court.setDefaultTerms(_defaults());
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.CourtAlreadySet.selector, address(court)));
        hub.setCourt(address(1));
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.CourtAlreadySet.selector, address(court)));
        workers.setCourt(address(1));
        vm.prank(AUTHOR);
        court.setModelTerms(model1, DisputeCourt.Terms(2 days, 500, 5, 2, 0, 0));
        assertEq(court.termsOf(model1).jurySize, 5, "model's own terms");
        assertEq(court.termsOf(model2).jurySize, 3, "defaults");
        assertEq(court.longestDisputeSpan(), 2 days + VERDICT_WINDOW, "span grows");
    }

    // ---------------------------------------------------------------- helpers

    function _addresses(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _amounts(uint256 a) internal pure returns (uint256[] memory list) {
        list = new uint256[](1);
        list[0] = a;
    }

    function _assertJuryExcludes(address[] memory jurors, address key) internal pure {
        for (uint256 i; i < jurors.length; ++i) {
            assertTrue(jurors[i] != key, "excluded key on the jury");
            for (uint256 j; j < i; ++j) {
                assertTrue(jurors[i] != jurors[j], "a juror twice");
            }
        }
    }

    /// @dev What `operator` earned as a worker for the answers of `s`.
    function _workerPay(address operator, Settled memory s) internal view returns (uint256 pay) {
        for (uint256 i; i < s.leaves.length; ++i) {
            address[] memory signers = s.leaves[i].signers;
            for (uint256 k; k < signers.length; ++k) {
                (address op,,,,,) = workers.worker(signers[k]);
                if (op == operator) pay += s.leaves[i].request.fee * WORKER_BPS / 10_000 / signers.length;
            }
        }
    }
}
