// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {WorkerRegistry} from "../src/WorkerRegistry.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {ExampleConsumer} from "../src/ExampleConsumer.sol";
import {ICredenceConsumer} from "../src/ICredenceConsumer.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @dev A callback that always reverts.
contract RevertingConsumer is ICredenceConsumer {
    function onInferenceResult(uint256, bytes calldata) external pure {
        revert("nope");
    }

    function onInferenceRefund(uint256, uint16) external pure {
        revert("nope");
    }
}

/// @dev A callback that burns all the gas it is given.
contract GasBurningConsumer is ICredenceConsumer {
    function onInferenceResult(uint256, bytes calldata) external pure {
        while (true) {}
    }

    function onInferenceRefund(uint256, uint16) external pure {
        while (true) {}
    }
}

/// @dev A callback that tries to settle again and to expire, from inside the settlement.
contract ReentrantConsumer is ICredenceConsumer {
    InferenceHub internal immutable hub;
    InferenceHub.Receipt internal replay;
    bool public reentryBlocked;

    constructor(InferenceHub hub_) {
        hub = hub_;
    }

    function arm(InferenceHub.Receipt calldata rc) external {
        replay = rc;
    }

    function onInferenceResult(uint256, bytes calldata) external {
        InferenceHub.Receipt[] memory list = new InferenceHub.Receipt[](1);
        list[0] = replay;
        try hub.submitReceipts(list) {
            reentryBlocked = false;
        } catch {
            reentryBlocked = true;
        }
    }

    function onInferenceRefund(uint256, uint16) external {}
}

/// @dev Operator of a worker key that unbonds it from inside its callback.
contract UnbondingConsumer is ICredenceConsumer {
    WorkerRegistry internal immutable workers;
    address internal signer;
    bool public unbonded;

    constructor(WorkerRegistry workers_) {
        workers = workers_;
    }

    function register(address signer_, bytes calldata proof) external payable {
        signer = signer_;
        workers.register{value: msg.value}(signer_, proof);
    }

    function onInferenceResult(uint256, bytes calldata) external {
        workers.unbond(signer, 1);
        unbonded = true;
    }

    function onInferenceRefund(uint256, uint16) external {}
}

contract InferenceHubTest is CredenceFixture {
    // ------------------------------------------------------------------ requests

    function test_request_escrowsFeeAndStoresOneCommitment() public {
        uint256 before = address(hub).balance;
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        assertEq(id, 1, "first id");
        assertEq(hub.nextRequestId(), 2, "next id");
        assertEq(address(hub).balance - before, FEE, "escrow");
        // the commitment is keccak256(abi.encode(request)) with its top bit clear (set: a batch record)
        bytes32 expected = bytes32(uint256(keccak256(abi.encode(req))) & (type(uint256).max >> 1));
        assertEq(hub.commitmentOf(id), expected, "commitment");
        assertEq(hub.hashRequest(req), expected, "hashRequest");
        assertTrue(hub.isPending(id), "pending");
    }

    function test_request_emitsEverythingAWorkerNeeds() public {
        bytes memory input = _input();
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.expectEmit(true, true, true, true, address(hub));
        emit InferenceHub.InferenceRequested(
            1, model1, DAPP, keccak256(input), FEE, deadline, address(0), 0, 0.001 ether, 2 gwei, input
        );
        vm.prank(DAPP);
        hub.requestInference{value: FEE + 0.001 ether}(model1, input, deadline, address(0), 0, 0.001 ether, 2 gwei);
    }

    function test_request_overpaymentIsEscrowedWhole() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE * 3);
        assertEq(req.fee, FEE * 3, "fee recorded");
        _settle(id, req, _keys(KEY_1));
        assertEq(_claimableTotal(), FEE * 3, "all of it split");
    }

    function test_request_reverts() public {
        bytes memory input = _input();
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.startPrank(DAPP);
        vm.expectRevert(InferenceHub.EmptyInput.selector);
        hub.requestInference{value: FEE}(model1, "", deadline, address(0), 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InputTooLarge.selector, 16_385, 16_384));
        hub.requestInference{value: FEE}(model1, new bytes(16_385), deadline, address(0), 0, 0, 0);
        vm.expectRevert(
            abi.encodeWithSelector(InferenceHub.DeadlineInPast.selector, uint64(block.timestamp), block.timestamp)
        );
        hub.requestInference{value: FEE}(model1, input, uint64(block.timestamp), address(0), 0, 0, 0);
        uint64 far = uint64(block.timestamp + 31 days);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DeadlineTooFar.selector, far, block.timestamp + 30 days));
        hub.requestInference{value: FEE}(model1, input, far, address(0), 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.CallbackGasTooHigh.selector, 2_000_001, 2_000_000));
        hub.requestInference{value: FEE}(model1, input, deadline, DAPP, 2_000_001, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.FeeTooLow.selector, FEE - 1, FEE));
        hub.requestInference{value: FEE - 1}(model1, input, deadline, address(0), 0, 0, 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.UnknownModel.selector, 99));
        hub.requestInference{value: FEE}(99, input, deadline, address(0), 0, 0, 0);
        vm.stopPrank();

        vm.prank(AUTHOR);
        registry.retireModel(model1);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.ModelRetired.selector, model1));
        vm.prank(DAPP);
        hub.requestInference{value: FEE}(model1, input, deadline, address(0), 0, 0, 0);
    }

    // ---------------------------------------------------------------- settlement

    function test_settle_splitsTheFeeToTheWei() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        bytes memory output = _output();
        InferenceHub.Receipt memory rc = _receipt(id, req, output, _keys(KEY_1));
        address[] memory signers = new address[](1);
        signers[0] = vm.addr(KEY_1);
        uint256 protocolPart = FEE * PROTOCOL_BPS / 10_000;
        uint256 workerPart = FEE * WORKER_BPS / 10_000;
        vm.expectEmit(true, false, false, true, address(hub));
        emit InferenceHub.InferenceSettled(id, rc.proofs, output);
        assertEq(hub.submitReceipts(_one(rc)), 1, "settled");

        assertFalse(hub.isPending(id), "closed");
        assertEq(address(hub).balance, FEE, "the hub's vault holds the fee, now owed");
        assertEq(vault.claimable(TREASURY), protocolPart, "protocol");
        assertEq(vault.claimable(OPERATOR_1), workerPart, "worker paid to its operator");
        uint256 pool = FEE - protocolPart - workerPart;
        assertEq(vault.claimable(PROVIDER), pool * 3_000 / 10_000, "data provider");
        assertEq(vault.claimable(OTHER), pool * 1_000 / 10_000, "other");
        assertEq(vault.claimable(AUTHOR), pool - pool * 3_000 / 10_000 - pool * 1_000 / 10_000, "author + remainder");
        assertEq(_claimableAll(), FEE, "every wei");
    }

    function test_settle_eachSignerAttestsItsOwnExecutionTime() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model2, FEE);
        InferenceHub.Receipt memory rc = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));
        // a proof whose time was changed after signing recovers to a stranger
        InferenceHub.Receipt memory altered = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));
        altered.proofs[72] = bytes1(uint8(altered.proofs[72]) ^ 1);
        vm.expectRevert();
        hub.submitReceipts(_one(altered));
        vm.expectEmit(true, false, false, true, address(hub));
        emit InferenceHub.InferenceSettled(id, rc.proofs, _output());
        hub.submitReceipts(_one(rc));
        assertFalse(hub.isPending(id), "two workers that ran at different times settle together");
    }

    function test_settle_quorumTwoPaysBothWorkers() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model2, FEE);
        _settle(id, req, _keys(KEY_1, KEY_2));
        uint256 each = FEE * WORKER_BPS / 10_000 / 2;
        assertEq(vault.claimable(OPERATOR_1), each, "worker 1");
        assertEq(vault.claimable(OPERATOR_2), each, "worker 2");
        assertEq(_claimableAll(), FEE, "every wei");
    }

    function test_settle_revertsOnForgeries() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model2, FEE);
        InferenceHub.Receipt memory good = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));

        InferenceHub.Receipt memory rc = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));
        rc.proofs = _proof(KEY_1, id, req.inputHash, _output(), 1);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.WrongSignatureCount.selector, id, 73, 2));
        hub.submitReceipts(_one(rc));

        // the same worker twice
        bytes memory once = _proof(KEY_1, id, req.inputHash, _output(), 1);
        rc.proofs = bytes.concat(once, once);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.SignersNotAscending.selector, id, 1));
        hub.submitReceipts(_one(rc));

        // a malformed signature (v = 0)
        rc.proofs = bytes.concat(once, new bytes(73));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidSignature.selector, id, 1));
        hub.submitReceipts(_one(rc));

        // a different output than the workers signed: recovers to nobody registered
        rc = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));
        rc.output = abi.encodePacked(rc.output, uint8(0));
        vm.expectRevert();
        hub.submitReceipts(_one(rc));

        // request fields that were not committed
        rc = _receipt(id, _copy(req), _output(), _keys(KEY_1, KEY_2));
        rc.request.fee = FEE * 2;
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestMismatch.selector, id));
        hub.submitReceipts(_one(rc));

        // an unknown request
        rc = _receipt(7, req, _output(), _keys(KEY_1, KEY_2));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.UnknownRequest.selector, 7));
        hub.submitReceipts(_one(rc));

        vm.expectRevert(InferenceHub.EmptyBatch.selector);
        hub.submitReceipts(new InferenceHub.Receipt[](0));

        hub.submitReceipts(_one(good));
        assertEq(_claimableAll(), FEE, "the genuine one settles");
    }

    function test_settle_revertsWhenASignerIsNotAnActiveWorker() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model2, FEE);
        uint256 stranger = 0xBAD;
        InferenceHub.Receipt memory rc = _receipt(id, req, _output(), _keys(KEY_1, stranger));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.InactiveWorker.selector, vm.addr(stranger)));
        hub.submitReceipts(_one(rc));

        // a worker that unbonded below the minimum is no longer active
        vm.prank(OPERATOR_2);
        workers.unbond(vm.addr(KEY_2), 1);
        rc = _receipt(id, req, _output(), _keys(KEY_1, KEY_2));
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.InactiveWorker.selector, vm.addr(KEY_2)));
        hub.submitReceipts(_one(rc));
    }

    function test_settle_signatureForAnotherHubOrChainDoesNotVerify() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        InferenceHub other =
            new InferenceHub(OWNER, registry, workers, TREASURY, PROTOCOL_BPS, WORKER_BPS, 16_384, 2_000_000);
        bytes32 digestElsewhere = other.receiptDigest(id, MODEL_HASH, req.inputHash, keccak256(_output()), 1);
        InferenceHub.Receipt memory rc =
            InferenceHub.Receipt(id, req, _output(), bytes.concat(_sign(KEY_1, digestElsewhere), bytes8(uint64(1))));
        vm.expectRevert();
        hub.submitReceipts(_one(rc));

        // the chain id read once into storage: compiled through the IR pipeline, a local copy of
        // block.chainid is read again after vm.chainId
        _chain = block.chainid;
        vm.chainId(_chain + 1);
        bytes32 digestOtherChain = hub.receiptDigest(id, MODEL_HASH, req.inputHash, keccak256(_output()), 1);
        vm.chainId(_chain);
        rc.proofs = bytes.concat(_sign(KEY_1, digestOtherChain), bytes8(uint64(1)));
        vm.expectRevert();
        hub.submitReceipts(_one(rc));
        assertTrue(hub.isPending(id), "still pending");
    }

    function test_batch_skipsSettledAndLateReceipts() public {
        (uint256 a, InferenceHub.Request memory ra) = _request(model1, FEE);
        (uint256 b, InferenceHub.Request memory rb) = _request(model1, FEE);
        InferenceHub.Receipt memory receiptA = _receipt(a, ra, _output(), _keys(KEY_1));
        hub.submitReceipts(_one(receiptA));

        InferenceHub.Receipt[] memory batch = new InferenceHub.Receipt[](2);
        batch[0] = receiptA; // settled meanwhile
        batch[1] = _receipt(b, rb, _output(), _keys(KEY_1));
        vm.expectEmit(true, false, false, true, address(hub));
        emit InferenceHub.ReceiptSkipped(a, 1);
        assertEq(hub.submitReceipts(batch), 1, "only b settles");
        assertEq(_claimableAll(), 2 * FEE, "each paid once");

        // every receipt skipped: the call reverts with why
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, a));
        hub.submitReceipts(batch);

        (uint256 c, InferenceHub.Request memory rcq) = _request(model1, FEE);
        InferenceHub.Receipt memory late = _receipt(c, rcq, _output(), _keys(KEY_1));
        vm.warp(rcq.deadline + 1);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DeadlinePassed.selector, c));
        hub.submitReceipts(_one(late));
    }

    function test_batch_settlesManyModelsAndWorkers() public {
        InferenceHub.Receipt[] memory batch = new InferenceHub.Receipt[](6);
        for (uint256 i; i < 6; ++i) {
            uint256 model = i % 2 == 0 ? model1 : model2;
            (uint256 id, InferenceHub.Request memory req) = _request(model, FEE + i);
            batch[i] =
                _receipt(id, req, _output(), model == model1 ? _keys(i % 3 == 0 ? KEY_1 : KEY_3) : _keys(KEY_2, KEY_3));
        }
        assertEq(hub.submitReceipts(batch), 6, "all settled");
        assertEq(_claimableAll(), 6 * FEE + 15, "every wei of every fee");
        assertEq(address(hub).balance, _claimableAll(), "nothing escrowed, all owed");
    }

    // ----------------------------------------------------------------- callbacks

    function test_callback_deliversTheDecodedAnswer() public {
        ExampleConsumer consumer = new ExampleConsumer(hub);
        vm.prank(DAPP);
        uint256 id = consumer.classify{value: FEE}(model1, _input(), uint64(block.timestamp + 1 hours), 0);
        InferenceHub.Request memory req = InferenceHub.Request(
            address(consumer),
            model1,
            keccak256(_input()),
            FEE,
            uint64(block.timestamp + 1 hours),
            address(consumer),
            300_000,
            0,
            0
        );
        _settle(id, req, _keys(KEY_1));
        (address requester,, bool answered,,, uint32 label) = consumer.answers(id);
        assertEq(requester, DAPP, "requester");
        assertTrue(answered, "answered");
        assertEq(label, 1, "argmax of [0.1, 0.7, 0.2]");
    }

    function testFuzz_classifyMany_requestsEachInputWithAnEvenShareOfTheFee(uint8 count) public {
        uint256 n = bound(count, 1, 12);
        ExampleConsumer consumer = new ExampleConsumer(hub);
        bytes[] memory inputs = new bytes[](n);
        for (uint256 i; i < n; ++i) {
            inputs[i] = _input();
        }
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.deal(DAPP, n * FEE);
        vm.prank(DAPP);
        uint256 first = consumer.classifyMany{value: n * FEE}(model1, inputs, deadline, 0);
        assertEq(address(hub).balance, n * FEE, "every fee escrowed");
        for (uint256 i; i < n; ++i) {
            (address requester, uint96 fee, bool answered,,,) = consumer.answers(first + i);
            assertEq(requester, DAPP, "requester");
            assertEq(fee, FEE, "fee share");
            assertFalse(answered, "not yet");
            assertTrue(hub.isPending(first + i), "pending");
        }
        InferenceHub.Request memory req = InferenceHub.Request(
            address(consumer), model1, keccak256(_input()), FEE, deadline, address(consumer), 300_000, 0, 0
        );
        _settle(first + n - 1, req, _keys(KEY_1));
        (,, bool lastAnswered,,, uint32 label) = consumer.answers(first + n - 1);
        assertTrue(lastAnswered, "the last one answered");
        assertEq(label, 1, "argmax of [0.1, 0.7, 0.2]");
    }

    function test_classifyMany_rejectsAnUnevenFeeOrNoInput() public {
        ExampleConsumer consumer = new ExampleConsumer(hub);
        bytes[] memory inputs = new bytes[](3);
        vm.deal(DAPP, 10 * FEE);
        vm.startPrank(DAPP);
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.FeeNotDivisible.selector, FEE, 3));
        consumer.classifyMany{value: FEE}(model1, inputs, uint64(block.timestamp + 1 hours), 0);
        vm.expectRevert(abi.encodeWithSelector(ExampleConsumer.FeeNotDivisible.selector, FEE, 0));
        consumer.classifyMany{value: FEE}(model1, new bytes[](0), uint64(block.timestamp + 1 hours), 0);
        vm.stopPrank();
    }

    function test_callback_failingOrBurningNeverUndoesSettlement() public {
        RevertingConsumer reverting = new RevertingConsumer();
        GasBurningConsumer burning = new GasBurningConsumer();
        (uint256 a, InferenceHub.Request memory ra) = _requestFrom(DAPP, model1, FEE, address(reverting), 100_000);
        (uint256 b, InferenceHub.Request memory rb) = _requestFrom(DAPP, model1, FEE, address(burning), 100_000);

        vm.expectEmit(true, true, false, false, address(hub));
        emit InferenceHub.CallbackFailed(a, address(reverting));
        _settle(a, ra, _keys(KEY_1));
        vm.expectEmit(true, true, false, false, address(hub));
        emit InferenceHub.CallbackFailed(b, address(burning));
        _settle(b, rb, _keys(KEY_1));
        assertFalse(hub.isPending(a) || hub.isPending(b), "both settled");
        assertEq(_claimableAll(), 2 * FEE, "both paid");
    }

    function test_callback_needsEnoughGasFromTheSubmitter() public {
        (uint256 id, InferenceHub.Request memory req) =
            _requestFrom(DAPP, model1, FEE, address(new GasBurningConsumer()), 1_000_000);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        (bool ok, bytes memory err) =
            address(hub).call{gas: 400_000}(abi.encodeCall(InferenceHub.submitReceipts, (list)));
        assertFalse(ok, "must not settle with a starved callback");
        assertEq(bytes4(err), InferenceHub.InsufficientGasForCallback.selector, "error");
        assertTrue(hub.isPending(id), "still pending");
    }

    /// A callback run by the operator of a signer cannot undo the batch by unbonding: callbacks
    /// run after the signers are checked and the credits written.
    function test_callback_cannotBlockSettlementByUnbondingASigner() public {
        UnbondingConsumer consumer = new UnbondingConsumer(workers);
        bytes memory proof = _sign(0xC4, workers.workerKeyDigest(address(consumer)));
        vm.deal(address(this), MIN_STAKE);
        consumer.register{value: MIN_STAKE}(vm.addr(0xC4), proof);
        (uint256 id, InferenceHub.Request memory req) = _requestFrom(DAPP, model1, FEE, address(consumer), 200_000);
        _settle(id, req, _keys(0xC4));
        assertFalse(hub.isPending(id), "settled");
        assertTrue(consumer.unbonded(), "the callback did unbond");
        assertEq(vault.claimable(address(consumer)), FEE * WORKER_BPS / 10_000, "and the worker was paid");
    }

    function test_callback_cannotReenterSettlement() public {
        ReentrantConsumer consumer = new ReentrantConsumer(hub);
        (uint256 a, InferenceHub.Request memory ra) = _requestFrom(DAPP, model1, FEE, address(consumer), 500_000);
        (uint256 b, InferenceHub.Request memory rb) = _request(model1, FEE);
        consumer.arm(_receipt(b, rb, _output(), _keys(KEY_1)));
        _settle(a, ra, _keys(KEY_1));
        assertTrue(consumer.reentryBlocked(), "reentry blocked");
        assertTrue(hub.isPending(b), "b untouched");
        assertEq(_claimableAll(), FEE, "paid once");
    }

    // ------------------------------------------------------------------ failures

    function test_failure_refundsInFull() public {
        ExampleConsumer consumer = new ExampleConsumer(hub);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        vm.prank(DAPP);
        uint256 id = consumer.classify{value: FEE}(model2, _input(), deadline, 0);
        InferenceHub.Request memory req = InferenceHub.Request(
            address(consumer), model2, keccak256(_input()), FEE, deadline, address(consumer), 300_000, 0, 0
        );
        InferenceHub.Failure memory f = _failure(id, req, 2, _keys(KEY_1, KEY_2));
        address[] memory signers = new address[](2);
        (signers[0], signers[1]) =
            vm.addr(KEY_1) < vm.addr(KEY_2) ? (vm.addr(KEY_1), vm.addr(KEY_2)) : (vm.addr(KEY_2), vm.addr(KEY_1));
        vm.expectEmit(true, true, false, true, address(hub));
        emit InferenceHub.InferenceFailed(id, model2, 2, f.detailHash, signers, FEE);
        assertEq(hub.submitFailures(_oneFailure(f)), 1, "refunded");
        assertEq(vault.claimable(address(consumer)), FEE, "refund claimable by the requester");
        assertEq(consumer.refundOf(DAPP), FEE, "consumer knows whose it is");

        uint256 before = DAPP.balance;
        vm.prank(DAPP);
        consumer.withdrawRefund();
        assertEq(DAPP.balance - before, FEE, "refund reached the payer");
        assertEq(address(hub).balance, 0, "nothing left");
    }

    function test_failure_reverts() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        InferenceHub.Failure memory f = _failure(id, req, 0, _keys(KEY_1));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.ZeroFailureReason.selector, id));
        hub.submitFailures(_oneFailure(f));
        vm.expectRevert(InferenceHub.EmptyBatch.selector);
        hub.submitFailures(new InferenceHub.Failure[](0));
        f = _failure(id, req, 3, _keys(KEY_1));
        hub.submitFailures(_oneFailure(f));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, id));
        hub.submitFailures(_oneFailure(f));
        // a receipt for a refunded request is not paid
        InferenceHub.Receipt[] memory late = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, id));
        hub.submitReceipts(late);
        assertEq(_claimableAll(), FEE, "refund only");
    }

    // -------------------------------------------------------------------- expiry

    function test_expire_refundsAfterTheDeadline() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotExpired.selector, id, req.deadline));
        hub.expire(id, req);
        vm.warp(req.deadline + 1);
        InferenceHub.Request memory wrong = _copy(req);
        wrong.fee = 1;
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestMismatch.selector, id));
        hub.expire(id, wrong);
        vm.expectEmit(true, true, false, true, address(hub));
        emit InferenceHub.InferenceExpired(id, model1, FEE);
        vm.prank(OTHER);
        hub.expire(id, req);
        assertEq(vault.claimable(DAPP), FEE, "refund");
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.RequestNotPending.selector, id));
        hub.expire(id, req);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.UnknownRequest.selector, 42));
        hub.expire(42, req);
    }

    // ---------------------------------------------------------------- equivocation

    function _signed(uint256 key, uint256 id, bytes32 inputHash, bytes32 outputHash)
        internal
        view
        returns (InferenceHub.SignedReceipt memory s)
    {
        bytes32 digest = hub.receiptDigest(id, MODEL_HASH, inputHash, outputHash, 1);
        s = InferenceHub.SignedReceipt(id, MODEL_HASH, inputHash, outputHash, 1, _sign(key, digest));
    }

    function test_equivocation_slashesTheWholeStake() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        InferenceHub.SignedReceipt memory a = _signed(KEY_3, id, req.inputHash, keccak256("answer a"));
        InferenceHub.SignedReceipt memory b = _signed(KEY_3, id, req.inputHash, keccak256("answer b"));
        vm.prank(OPERATOR_3);
        workers.unbond(vm.addr(KEY_3), 0.5 ether); // unbonding stake is slashed too
        vm.prank(OTHER);
        (address signer, uint256 slashed) = hub.reportEquivocation(a, b);
        assertEq(signer, vm.addr(KEY_3), "signer");
        assertEq(slashed, 2 ether, "active + unbonding");
        assertEq(vault.claimable(OTHER), 0.2 ether, "reporter reward");
        assertEq(vault.claimable(TREASURY), 1.8 ether, "rest to treasury");
        assertEq(address(workers).balance, 2 * MIN_STAKE, "the others' stake stays");
        assertFalse(workers.isActive(vm.addr(KEY_3)), "inactive");
        (,,,, bool banned,) = workers.worker(vm.addr(KEY_3));
        assertTrue(banned, "banned");
        vm.expectRevert(abi.encodeWithSelector(WorkerRegistry.NothingToSlash.selector, vm.addr(KEY_3)));
        hub.reportEquivocation(a, b);
    }

    function test_equivocation_reverts() public {
        InferenceHub.SignedReceipt memory a = _signed(KEY_1, 1, bytes32(0), keccak256("a"));
        InferenceHub.SignedReceipt memory sameOutput = _signed(KEY_1, 1, bytes32(0), keccak256("a"));
        InferenceHub.SignedReceipt memory otherRequest = _signed(KEY_1, 2, bytes32(0), keccak256("b"));
        InferenceHub.SignedReceipt memory otherSigner = _signed(KEY_2, 1, bytes32(0), keccak256("b"));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotEquivocation.selector, 1));
        hub.reportEquivocation(a, sameOutput);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DifferentRequests.selector, 1, 2));
        hub.reportEquivocation(a, otherRequest);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DifferentSigners.selector, vm.addr(KEY_1), vm.addr(KEY_2)));
        hub.reportEquivocation(a, otherSigner);
        InferenceHub.SignedReceipt memory otherInput = _signed(KEY_1, 1, bytes32(uint256(1)), keccak256("b"));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DifferentJobs.selector, 1));
        hub.reportEquivocation(a, otherInput);
    }

    // --------------------------------------------------------------------- admin

    function test_pause_stopsRequestsButNotSettlementOrRefunds() public {
        (uint256 a, InferenceHub.Request memory ra) = _request(model1, FEE);
        (uint256 b, InferenceHub.Request memory rb) = _request(model1, FEE);
        vm.expectEmit(false, false, false, true, address(hub));
        emit InferenceHub.Paused(OWNER);
        vm.prank(OWNER);
        hub.pause();
        vm.expectRevert(InferenceHub.EnforcedPause.selector);
        _request(model1, FEE);
        vm.expectRevert(InferenceHub.EnforcedPause.selector);
        vm.prank(OWNER);
        hub.pause();

        _settle(a, ra, _keys(KEY_1));
        vm.warp(rb.deadline + 1);
        hub.expire(b, rb);
        vm.prank(DAPP);
        vault.claim();
        assertEq(_claimableAll(), FEE, "settlement and refund worked while paused");

        vm.prank(OWNER);
        hub.unpause();
        vm.expectRevert(InferenceHub.ExpectedPause.selector);
        vm.prank(OWNER);
        hub.unpause();
        _request(model1, FEE);
    }

    function test_admin_onlyOwnerAndBounded() public {
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, OTHER));
        vm.prank(OTHER);
        hub.setSplit(0, 0);
        vm.expectRevert(abi.encodeWithSelector(Ownable.OwnableUnauthorizedAccount.selector, OTHER));
        vm.prank(OTHER);
        hub.pause();
        vm.startPrank(OWNER);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidSplit.selector, 2_001, 0));
        hub.setSplit(2_001, 0);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidSplit.selector, 2_000, 8_001));
        hub.setSplit(2_000, 8_001);
        hub.setSplit(1_000, 3_000);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidLimits.selector, 0, 1));
        hub.setLimits(0, 1);
        hub.setLimits(1_024, 500_000);
        vm.stopPrank();
        (uint16 p, uint16 w, uint32 maxInput, uint32 maxGas, bool paused) = hub.config();
        assertEq(p, 1_000, "protocol");
        assertEq(w, 3_000, "worker");
        assertEq(maxInput, 1_024, "input");
        assertEq(maxGas, 500_000, "callback gas");
        assertFalse(paused, "paused");
    }

    function test_digests_followEip712() public view {
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Credence"),
                keccak256("1"),
                block.chainid,
                address(hub)
            )
        );
        assertEq(hub.domainSeparator(), domain, "domain");
        bytes32 structHash = keccak256(
            abi.encode(
                keccak256(
                    "InferenceReceipt(uint256 requestId,bytes32 modelHash,bytes32 inputHash,bytes32 outputHash,uint64 executedAt)"
                ),
                uint256(5),
                MODEL_HASH,
                bytes32(uint256(1)),
                bytes32(uint256(2)),
                uint64(3)
            )
        );
        assertEq(
            hub.receiptDigest(5, MODEL_HASH, bytes32(uint256(1)), bytes32(uint256(2)), 3),
            keccak256(abi.encodePacked(hex"1901", domain, structHash)),
            "receipt digest"
        );
    }

    // ---------------------------------------------------------------------- fuzz

    /// Every wei of every fee is claimable by someone, for any fee, split and quorum.
    function testFuzz_split_everyWeiAccounted(uint256 fee, uint16 protocolBps, uint16 workerBps, bool quorumTwo)
        public
    {
        fee = bound(fee, FEE, 1_000 ether);
        protocolBps = uint16(bound(protocolBps, 0, 2_000));
        workerBps = uint16(bound(workerBps, 0, 10_000 - protocolBps));
        vm.prank(OWNER);
        hub.setSplit(protocolBps, workerBps);
        uint256 model = quorumTwo ? model2 : model1;
        (uint256 id, InferenceHub.Request memory req) = _request(model, fee);
        _settle(id, req, quorumTwo ? _keys(KEY_1, KEY_2) : _keys(KEY_3));
        assertEq(_claimableAll(), fee, "credits == fee");
        assertEq(address(hub).balance, fee, "the hub holds it");
        _claimEverything();
        assertEq(address(hub).balance, 0, "all paid out");
    }

    /// Settled fees plus refunds equal the fees paid, whatever mix of outcomes.
    function testFuzz_outcomes_feesEqualCreditsPlusRefunds(uint256 seed) public {
        uint256 paid;
        for (uint256 i; i < 6; ++i) {
            uint256 fee = FEE + uint256(keccak256(abi.encode(seed, i))) % 1 ether;
            (uint256 id, InferenceHub.Request memory req) = _request(model1, fee);
            paid += fee;
            uint256 outcome = uint256(keccak256(abi.encode(seed, i, "o"))) % 3;
            if (outcome == 0) _settle(id, req, _keys(KEY_1));
            else if (outcome == 1) hub.submitFailures(_oneFailure(_failure(id, req, 1, _keys(KEY_2))));
        }
        vm.warp(vm.getBlockTimestamp() + 2 hours);
        for (uint256 id = 1; id < hub.nextRequestId(); ++id) {
            if (hub.isPending(id)) hub.expire(id, _requests[id]);
        }
        assertEq(address(hub).balance, paid, "nothing escrowed: the hub holds what it owes");
        assertEq(_claimableAll(), paid, "credits + refunds == fees");
    }

    // --------------------------------------------------------------- model terms

    function test_modelTerms_followTheRegistry() public {
        (bytes32 h, uint256 fee, uint8 q, bool retired) = hub.modelTerms(model2);
        assertEq(h, MODEL_HASH, "hash");
        assertEq(fee, FEE, "fee");
        assertEq(q, 2, "quorum");
        assertFalse(retired, "retired");
        vm.startPrank(AUTHOR);
        registry.setModelFee(model2, 2 * FEE);
        registry.retireModel(model2);
        vm.stopPrank();
        (, fee,, retired) = hub.modelTerms(model2);
        assertEq(fee, 2 * FEE, "new fee");
        assertTrue(retired, "retired");
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotRegistry.selector, OTHER));
        vm.prank(OTHER);
        hub.syncModelTerms(model2, bytes32(0), 0, 1, false);
        (,, q,) = hub.modelTerms(42);
        assertEq(q, 0, "unknown");
    }

    function test_depositSlashed_onlyFromTheWorkerRegistry() public {
        vm.deal(OTHER, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.NotWorkerRegistry.selector, OTHER));
        vm.prank(OTHER);
        hub.depositSlashed{value: 1 ether}(OTHER, 0);
        vm.deal(address(workers), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.SlashRewardTooLarge.selector, 2 ether, 1 ether));
        vm.prank(address(workers));
        hub.depositSlashed{value: 1 ether}(OTHER, 2 ether);
    }

    // ------------------------------------------------------------------- helpers

    mapping(uint256 => InferenceHub.Request) internal _requests;
    uint256 internal _chain;

    function _copy(InferenceHub.Request memory r) internal pure returns (InferenceHub.Request memory) {
        return InferenceHub.Request(
            r.requester,
            r.modelId,
            r.inputHash,
            r.fee,
            r.deadline,
            r.callback,
            r.callbackGas,
            r.gasAllowance,
            r.maxFeePerGas
        );
    }

    function _request(uint256 modelId, uint256 fee)
        internal
        override
        returns (uint256 id, InferenceHub.Request memory req)
    {
        (id, req) = _requestFrom(DAPP, modelId, fee, address(0), 0);
        _requests[id] = req;
    }

    /// @dev What everyone can claim, computed through the vault's own view.
    function _claimableAll() internal view returns (uint256 total) {
        address[8] memory accounts = [TREASURY, AUTHOR, PROVIDER, OTHER, DAPP, OPERATOR_1, OPERATOR_2, OPERATOR_3];
        for (uint256 i; i < accounts.length; ++i) {
            total += vault.claimable(accounts[i]);
        }
    }

    function _claimEverything() internal {
        address[8] memory accounts = [TREASURY, AUTHOR, PROVIDER, OTHER, DAPP, OPERATOR_1, OPERATOR_2, OPERATOR_3];
        uint256[] memory models = new uint256[](2);
        (models[0], models[1]) = (model1, model2);
        for (uint256 i; i < accounts.length; ++i) {
            if (vault.claimable(accounts[i]) != 0) {
                vm.prank(accounts[i]);
                vault.claim(models);
            }
        }
    }
}
