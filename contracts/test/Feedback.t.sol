// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CourtFixture} from "./utils/CourtFixture.sol";
import {Feedback} from "../src/Feedback.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {DisputeCourt} from "../src/DisputeCourt.sol";
import {SettlementRecords} from "../src/SettlementRecords.sol";

/// @dev Requesters rate settled answers once, within the window, and are paid a rebate from the
///      protocol's share.
contract FeedbackTest is CourtFixture {
    uint16 internal constant REBATE_BPS = 100; // 1 % of the fee
    uint64 internal constant FEEDBACK_WINDOW = 3 days;

    Feedback internal feedback;

    function setUp() public override {
        super.setUp();
        feedback = new Feedback(OWNER, hub, Feedback.Terms(FEEDBACK_WINDOW, REBATE_BPS));
        vm.prank(OWNER);
        hub.setFeedback(address(feedback));
    }

    function _rate(Settled memory s, uint256 index, uint8 score) internal returns (uint256) {
        vm.prank(DAPP);
        return feedback.rate(s.batch, index, s.leaves[index], score, keccak256("a comment"));
    }

    function test_rate_paysTheRebateFromTheProtocolsShareToTheWei() public {
        Settled memory s = _settleBatch(model1, 3, _keys(KEY_1));
        uint256 accrued = vault.protocolFeesAccrued();
        uint256 held = _heldByProtocol();
        uint256 rebate = FEE * REBATE_BPS / 10_000;
        vm.expectEmit(true, true, true, true, address(feedback));
        emit Feedback.Rated(s.leaves[1].requestId, model1, DAPP, 4, keccak256("a comment"), s.leaves[1].signers, rebate);
        assertEq(_rate(s, 1, 4), rebate, "1 % of the fee");
        assertEq(vault.balanceOf(DAPP), rebate, "credited to the requester");
        assertEq(vault.protocolFeesAccrued(), accrued - rebate, "from the protocol's share");
        assertEq(_heldByProtocol(), held, "no ETH moved");
        assertEq(feedback.scoreOf(s.leaves[1].requestId), 4, "the score is kept");
        assertEq(feedback.scoreOf(s.leaves[0].requestId), 0, "the others are not rated");
    }

    function test_rate_refusals() public {
        Settled memory s = _settleBatch(model1, 2, _keys(KEY_1));
        uint256 id = s.leaves[0].requestId;

        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.InvalidScore.selector, 0));
        feedback.rate(s.batch, 0, s.leaves[0], 0, bytes32(0));
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.InvalidScore.selector, 6));
        feedback.rate(s.batch, 0, s.leaves[0], 6, bytes32(0));

        // only the requester
        vm.prank(OTHER);
        vm.expectRevert(abi.encodeWithSelector(Feedback.NotRequester.selector, id, OTHER, DAPP));
        feedback.rate(s.batch, 0, s.leaves[0], 3, bytes32(0));

        // only what settled: a leaf at another index, a tampered request, a forged batch
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.LeafMismatch.selector, s.batch.batchId, 1));
        feedback.rate(s.batch, 1, s.leaves[0], 3, bytes32(0));
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.LeafMismatch.selector, s.batch.batchId, 2));
        feedback.rate(s.batch, 2, s.leaves[0], 3, bytes32(0));
        DisputeCourt.Leaf memory tampered = DisputeCourt.Leaf(
            s.leaves[0].requestId, s.leaves[0].request, keccak256("another answer"), s.leaves[0].signers
        );
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.LeafMismatch.selector, s.batch.batchId, 0));
        feedback.rate(s.batch, 0, tampered, 3, bytes32(0));
        DisputeCourt.Batch memory forged =
            DisputeCourt.Batch(s.batch.batchId, s.batch.settledBlock, s.batch.settledAt + 1, s.batch.leaves);
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.BatchMismatch.selector, s.batch.batchId));
        feedback.rate(forged, 0, s.leaves[0], 3, bytes32(0));
        // a pending request has no batch record
        (uint256 pending, InferenceHub.Request memory req) = _request(model1, FEE);
        DisputeCourt.Leaf memory unsettled = DisputeCourt.Leaf(pending, req, keccak256(_output()), s.leaves[0].signers);
        DisputeCourt.Batch memory none =
            DisputeCourt.Batch(pending, s.batch.settledBlock, s.batch.settledAt, s.batch.leaves);
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.LeafMismatch.selector, pending, 0));
        feedback.rate(none, 0, unsettled, 3, bytes32(0));

        // once
        _rate(s, 0, 5);
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.AlreadyRated.selector, id, 5));
        feedback.rate(s.batch, 0, s.leaves[0], 1, bytes32(0));

        // within the window
        vm.warp(s.batch.settledAt + FEEDBACK_WINDOW + 1);
        vm.prank(DAPP);
        vm.expectRevert(
            abi.encodeWithSelector(
                Feedback.FeedbackWindowClosed.selector, s.leaves[1].requestId, s.batch.settledAt + FEEDBACK_WINDOW
            )
        );
        feedback.rate(s.batch, 1, s.leaves[1], 3, bytes32(0));
    }

    function test_rate_unknownBatchIsRefused() public {
        Settled memory s = _settleOne(model1, KEY_1);
        DisputeCourt.Batch memory unknown =
            DisputeCourt.Batch(999, s.batch.settledBlock, s.batch.settledAt, s.batch.leaves);
        vm.prank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(Feedback.UnknownBatch.selector, 999));
        feedback.rate(unknown, 0, s.leaves[0], 3, bytes32(0));
    }

    function test_rate_zeroRebateStillRecordsTheScore() public {
        vm.prank(OWNER);
        feedback.setTerms(Feedback.Terms(FEEDBACK_WINDOW, 0));
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 accrued = vault.protocolFeesAccrued();
        assertEq(_rate(s, 0, 2), 0, "no rebate");
        assertEq(vault.protocolFeesAccrued(), accrued, "the share untouched");
        assertEq(feedback.scoreOf(s.leaves[0].requestId), 2, "rated");
    }

    function test_rate_aShortShareCapsTheRebate() public {
        Settled memory s = _settleOne(model1, KEY_1);
        vault.collectProtocolFees();
        vm.prank(TREASURY);
        vault.claim(); // nothing accrued, nothing in the treasury's balance
        assertEq(_rate(s, 0, 5), 0, "nothing to pay with");
        assertEq(feedback.scoreOf(s.leaves[0].requestId), 5, "the rating stands");
    }

    function testFuzz_rate_rebateIsTheFeesShare(uint96 fee, uint16 bps, uint8 score) public {
        bps = uint16(bps % (feedback.MAX_REBATE_BPS() + 1));
        score = uint8(1 + score % 5);
        vm.prank(OWNER);
        feedback.setTerms(Feedback.Terms(FEEDBACK_WINDOW, bps));
        uint256 f = FEE + uint256(fee) % 100 ether;
        vm.deal(DAPP, f);
        (uint256 id, InferenceHub.Request memory req) = _request(model1, f);
        _settle(id, req, _keys(KEY_1));
        Settled memory s;
        s.leaves = new DisputeCourt.Leaf[](1);
        s.leaves[0] = DisputeCourt.Leaf(id, req, keccak256(_output()), _signersOf(_keys(KEY_1)));
        s.batch.leaves = new bytes32[](1);
        s.batch.batchId = id;
        s.batch.settledBlock = uint64(vm.getBlockNumber());
        s.batch.settledAt = uint64(vm.getBlockTimestamp());
        s.batch.leaves[0] = _leaf(s.leaves[0]);
        uint256 share = vault.protocolFeesAccrued() + vault.balanceOf(TREASURY);
        uint256 owed = f * bps / 10_000;
        assertEq(_rate(s, 0, score), owed < share ? owed : share, "the fee's share, as far as the share goes");
    }

    function _leaf(DisputeCourt.Leaf memory l) internal pure returns (bytes32) {
        bytes32 commitment = SettlementRecords.commitment(keccak256(abi.encode(l.request)));
        return SettlementRecords.leaf(l.requestId, commitment, l.outputHash, l.signers);
    }

    function test_terms_boundsAndOwner() public {
        vm.expectRevert(abi.encodeWithSelector(Feedback.InvalidTerms.selector, 59 minutes, 100));
        vm.prank(OWNER);
        feedback.setTerms(Feedback.Terms(59 minutes, 100));
        vm.expectRevert(abi.encodeWithSelector(Feedback.InvalidTerms.selector, 1 days, 1_001));
        vm.prank(OWNER);
        feedback.setTerms(Feedback.Terms(1 days, 1_001));
        vm.expectRevert();
        feedback.setTerms(Feedback.Terms(1 days, 10)); // not the owner
        vm.expectRevert(abi.encodeWithSelector(Feedback.ZeroAddress.selector));
        new Feedback(OWNER, InferenceHub(payable(address(0))), Feedback.Terms(1 days, 10));
    }
}
