// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CourtFixture} from "./utils/CourtFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {DisputeCourt} from "../src/DisputeCourt.sol";
import {GasCharges} from "../src/GasCharges.sol";

/// @dev The court's transactions are paid back from the protocol's share: measured execution plus
///      GasCharges' court figures, at the transaction's price capped at base fee + COURT_MAX_TIP;
///      only useful work is paid; the protocol's share (accrued, then the treasury's unclaimed
///      balance) is all it can take.
contract CourtGasTest is CourtFixture {
    address internal constant CALLER = address(0xCA11);
    uint256 internal constant BASE_FEE = 1 gwei;
    uint256 internal constant PRICE = 2 gwei;

    bytes32 internal constant GAS_PAID_BACK = keccak256("GasPaidBack(address,uint256,uint256,uint256)");
    bytes32 internal constant PROTOCOL_PAID = keccak256("ProtocolPaid(address,address,uint256,address,uint256)");

    function setUp() public override {
        super.setUp();
        vm.fee(BASE_FEE);
        vm.txGasPrice(PRICE);
        // the treasury keeps a float in its balance: audits at 100 % cost more than 5 % of fees
        vault.depositFor{value: 1 ether}(TREASURY);
    }

    /// @dev What the last call's GasPaidBack said (caller, gas, price, paid), zeros when there was
    ///      none; checked against the hub's ProtocolPaid of the same payment.
    function _paid() internal returns (address account, uint256 gas, uint256 price, uint256 paid) {
        Vm.Log[] memory logs = vm.getRecordedLogs();
        uint256 fromHub;
        bool hubPaid;
        for (uint256 i; i < logs.length; ++i) {
            if (logs[i].emitter == address(court) && logs[i].topics[0] == GAS_PAID_BACK) {
                account = address(uint160(uint256(logs[i].topics[1])));
                (gas, price, paid) = abi.decode(logs[i].data, (uint256, uint256, uint256));
            } else if (logs[i].emitter == address(hub) && logs[i].topics[0] == PROTOCOL_PAID) {
                assertEq(address(uint160(uint256(logs[i].topics[1]))), address(court), "the court paid");
                (uint256 fromAccrued, address treasury, uint256 fromTreasury) =
                    abi.decode(logs[i].data, (uint256, address, uint256));
                assertEq(treasury, TREASURY, "names the treasury");
                (fromHub, hubPaid) = (fromAccrued + fromTreasury, true);
            }
        }
        assertEq(hubPaid, account != address(0), "the hub pays when the court says so");
        assertEq(fromHub, paid, "and what it says");
    }

    function _drawAs(address caller, Settled memory s) internal returns (uint256 audited) {
        vm.roll(s.batch.settledBlock + court.SEED_DELAY() + 1);
        vm.recordLogs();
        vm.prank(caller);
        audited = court.drawAudits(s.batch.batchId, s.batch.settledBlock, s.batch.settledAt, s.leaves);
    }

    function test_drawAudits_paysTheCallerFromTheProtocolShare() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleBatch(model1, 4, _keys(KEY_1));
        uint256 share = vault.protocolFeesAccrued() + vault.balanceOf(TREASURY);
        uint256 held = _heldByProtocol();
        assertEq(_drawAs(CALLER, s), 4, "all audited");
        (address account, uint256 gas, uint256 price, uint256 paid) = _paid();
        assertEq(account, CALLER, "the caller");
        assertEq(price, PRICE, "its price, under the cap");
        assertEq(paid, gas * price, "in full");
        // measured execution plus the fixed figures: four audits with juries of three
        uint256 figures = GasCharges.COURT_DRAW_TX + 4 * GasCharges.COURT_LEAF + 4 * GasCharges.COURT_SIGNER;
        assertGt(gas, figures + 4 * 50_000, "the draw's execution is counted");
        assertLe(gas, figures + 4 * 400_000, "and nothing beyond it");
        assertEq(vault.balanceOf(CALLER), paid, "credited");
        assertEq(vault.protocolFeesAccrued(), 0, "from what accrued first");
        assertEq(vault.protocolFeesAccrued() + vault.balanceOf(TREASURY), share - paid, "then the treasury's float");
        assertEq(_heldByProtocol(), held, "no ETH moved");
    }

    function test_drawAudits_thatOpensNoAuditIsNotPaid() public {
        _setTerms(model1, 0, 3);
        Settled memory s = _settleBatch(model1, 4, _keys(KEY_1));
        uint256 accrued = vault.protocolFeesAccrued();
        assertEq(_drawAs(CALLER, s), 0, "none");
        (address account,,,) = _paid();
        assertEq(account, address(0), "no payment");
        assertEq(vault.protocolFeesAccrued(), accrued, "the share untouched");
    }

    function test_price_isCappedAtBaseFeePlusTheMaxTip() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        vm.txGasPrice(100 gwei);
        _drawAs(CALLER, s);
        (,, uint256 price,) = _paid();
        assertEq(price, BASE_FEE + GasCharges.COURT_MAX_TIP, "base fee + max tip");
    }

    function testFuzz_draw_paysAtMostTheCappedPriceAndNeverMoreThanTheShare(
        uint64 baseFee,
        uint64 gasPrice,
        uint96 float
    ) public {
        vm.prank(TREASURY);
        vault.claim();
        vm.deal(address(this), float);
        if (float != 0) vault.depositFor{value: float}(TREASURY);
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        baseFee %= 1_000 gwei;
        vm.fee(baseFee);
        vm.txGasPrice(uint256(baseFee) + gasPrice % 5 gwei);
        uint256 share = vault.protocolFeesAccrued() + vault.balanceOf(TREASURY);
        uint256 held = _heldByProtocol();
        _drawAs(CALLER, s);
        (, uint256 gas, uint256 price, uint256 paid) = _paid();
        uint256 expected = uint256(baseFee) + gasPrice % 5 gwei;
        if (expected > uint256(baseFee) + GasCharges.COURT_MAX_TIP) {
            expected = uint256(baseFee) + GasCharges.COURT_MAX_TIP;
        }
        if (expected != 0) assertEq(price, expected, "the transaction's price, capped");
        uint256 owed = gas * price;
        assertEq(paid, owed < share ? owed : share, "what it was owed, as far as the share goes");
        assertEq(vault.balanceOf(CALLER), paid, "credited");
        assertEq(vault.protocolFeesAccrued() + vault.balanceOf(TREASURY), share - paid, "taken from the share");
        assertEq(_heldByProtocol(), held, "no ETH moved");
    }

    function test_noGasPrice_noPayment() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        vm.fee(0);
        vm.txGasPrice(0);
        uint256 accrued = vault.protocolFeesAccrued();
        _drawAs(CALLER, s);
        (address account,,,) = _paid();
        assertEq(account, address(0), "nothing to pay back");
        assertEq(vault.protocolFeesAccrued(), accrued, "the share untouched");
    }

    function test_verdicts_payOnlyWhatTheyRecorded() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleBatch(model1, 2, _keys(KEY_1));
        _drawAs(CALLER, s);
        DisputeCourt.Dispute memory a = court.dispute(1);
        DisputeCourt.Dispute memory b = court.dispute(2);
        // dispute 1: a second verdict alone
        DisputeCourt.Verdict[] memory one = new DisputeCourt.Verdict[](1);
        one[0] = _verdict(_keyOf(a.jurors[1]), 1, a.outputHash, true);
        court.submitVerdicts(one);
        one[0] = _verdict(_keyOf(a.jurors[0]), 1, a.outputHash, true);
        vm.recordLogs();
        vm.prank(CALLER);
        court.submitVerdicts(one);
        (, uint256 alone,,) = _paid();
        // dispute 2: a second verdict padded with five already recorded ones
        DisputeCourt.Verdict[] memory first = new DisputeCourt.Verdict[](1);
        first[0] = _verdict(_keyOf(b.jurors[1]), 2, b.outputHash, true);
        court.submitVerdicts(first);
        DisputeCourt.Verdict[] memory padded = new DisputeCourt.Verdict[](6);
        for (uint256 i; i < 5; ++i) {
            padded[i] = first[0];
        }
        padded[5] = _verdict(_keyOf(b.jurors[0]), 2, b.outputHash, true);
        vm.recordLogs();
        vm.prank(CALLER);
        assertEq(court.submitVerdicts(padded), 1, "one recorded");
        (, uint256 withPadding,,) = _paid();
        assertGt(alone, GasCharges.COURT_VERDICTS_TX + GasCharges.COURT_VERDICT, "a verdict's execution is counted");
        assertLe(withPadding, alone, "skipped verdicts earn nothing");
    }

    function test_lastVerdict_paysTheResolutionToo() public {
        _setTerms(model1, 10_000, 3);
        Settled memory s = _settleOne(model1, KEY_1);
        _drawAs(CALLER, s);
        DisputeCourt.Dispute memory d = court.dispute(1);
        DisputeCourt.Verdict[] memory list = new DisputeCourt.Verdict[](3);
        for (uint256 i; i < 3; ++i) {
            list[i] = _verdict(_keyOf(d.jurors[i]), 1, d.outputHash, true);
        }
        uint256 before = vault.balanceOf(CALLER);
        vm.recordLogs();
        vm.prank(CALLER);
        court.submitVerdicts(list);
        (address account, uint256 gas,, uint256 paid) = _paid();
        assertEq(court.dispute(1).state, court.STATE_UPHELD(), "resolved");
        assertEq(account, CALLER, "the caller");
        assertGt(
            gas, GasCharges.COURT_VERDICTS_TX + 3 * GasCharges.COURT_VERDICT + 3 * 3_000, "three recoveries and more"
        );
        assertEq(vault.balanceOf(CALLER) - before, paid, "credited");
    }

    function test_drawJuryAndResolve_arePaid() public {
        Settled memory s = _settleOne(model1, KEY_1);
        uint256 bond = court.requiredBond(s.leaves[0].request.fee);
        vm.prank(CHALLENGER);
        uint256 id = court.challenge{value: bond}(s.batch, 0, s.leaves[0]);
        vm.roll(vm.getBlockNumber() + court.SEED_DELAY() + 1);
        vm.recordLogs();
        vm.prank(CALLER);
        court.drawJury(id);
        (address drew, uint256 drawGas,, uint256 drawPaid) = _paid();
        assertEq(drew, CALLER, "the jury's draw is paid");
        assertGt(drawGas, GasCharges.COURT_JURY_TX, "its execution counted");
        vm.warp(court.dispute(id).verdictDeadline + 1);
        vm.recordLogs();
        vm.prank(CALLER);
        court.resolve(id);
        (address resolver,,, uint256 resolvePaid) = _paid();
        assertEq(resolver, CALLER, "the resolution is paid");
        assertEq(vault.balanceOf(CALLER), drawPaid + resolvePaid, "both credited");
    }

    function test_shortShare_paysAccruedThenTheTreasurysBalanceThenStops() public {
        vm.prank(TREASURY);
        vault.claim(); // no float
        _setTerms(model1, 10_000, 3);
        Settled memory s1 = _settleOne(model1, KEY_1);
        Settled memory s2 = _settleOne(model1, KEY_1);
        // everything accrued goes to the treasury's balance; the treasury claims all but a little
        vault.collectProtocolFees();
        assertEq(vault.protocolFeesAccrued(), 0, "collected");
        uint256 float = vault.balanceOf(TREASURY);
        _drawAs(CALLER, s1);
        (,,, uint256 paid) = _paid();
        assertGt(paid, 0, "paid from the treasury's balance");
        assertEq(vault.balanceOf(TREASURY), float - paid, "which it left unclaimed");
        vm.prank(TREASURY);
        vault.claim();
        uint256 held = _heldByProtocol();
        vm.recordLogs();
        _drawAs(CALLER, s2);
        (address account, uint256 gas, uint256 price, uint256 nothing) = _paid();
        assertEq(account, CALLER, "still reported");
        assertGt(gas * price, 0, "what it was owed");
        assertEq(nothing, 0, "nothing left to pay with");
        assertEq(_heldByProtocol(), held, "no ETH moved");
    }

    function test_payFromProtocol_onlyTheCourtAndTheFeedbackContract() public {
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotProtocolPayer.selector, address(this)));
        hub.payFromProtocol(address(this), 1);
        address feedback = address(0xFEED);
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.ZeroAddress.selector));
        hub.setFeedback(address(0));
        vm.prank(OWNER);
        hub.setFeedback(feedback);
        vm.prank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.FeedbackAlreadySet.selector, feedback));
        hub.setFeedback(address(0xBAD));
        vm.prank(feedback);
        assertEq(hub.payFromProtocol(CALLER, 7), 7, "the feedback contract pays from the share");
        assertEq(vault.balanceOf(CALLER), 7, "credited");
    }
}
