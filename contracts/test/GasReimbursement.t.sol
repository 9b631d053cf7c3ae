// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {GasCharges} from "../src/GasCharges.sol";
import {ICredenceConsumer} from "../src/ICredenceConsumer.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @dev Uses a fixed amount of gas in its callback, or reverts, or returns a megabyte.
contract MeteredConsumer is ICredenceConsumer {
    uint256 public mode; // 0: spin for `spin` iterations, 1: revert, 2: return 1 MiB
    uint256 public spin;

    function set(uint256 mode_, uint256 spin_) external {
        mode = mode_;
        spin = spin_;
    }

    function onInferenceResult(uint256, bytes calldata) external view {
        _run();
    }

    function onInferenceRefund(uint256, uint16) external view {
        _run();
    }

    function _run() internal view {
        if (mode == 1) revert("no");
        if (mode == 2) {
            assembly ("memory-safe") {
                return(0, 0x100000)
            }
        }
        uint256 x;
        for (uint256 i; i < spin; ++i) {
            x += i;
        }
    }
}

/// @dev A contract wallet (ERC-1271) that accepts its owner's ECDSA signature.
contract OwnedWallet is IERC1271 {
    address internal immutable owner;

    constructor(address owner_) {
        owner = owner_;
    }

    function isValidSignature(bytes32 digest, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(digest, signature);
        return err == ECDSA.RecoverError.NoError && signer == owner ? IERC1271.isValidSignature.selector : bytes4(0);
    }
}

/// @dev Whoever submits a settlement, a refund or an expiry is paid back its gas from each
///      request's allowance, to the wei of GasCharges; the requester gets the rest.
contract GasReimbursementTest is CredenceFixture {
    address internal constant RELAYER = address(0x5E1A);
    uint256 internal constant ALLOWANCE = 0.01 ether;
    uint256 internal constant MAX_FEE = 100 gwei;
    uint256 internal constant PRICE = 3 gwei;
    uint256 internal constant USER_KEY = 0x05E7;

    function setUp() public override {
        super.setUp();
        vm.txGasPrice(PRICE);
    }

    // ------------------------------------------------------------ receipts

    /// Batches of 1 to 32 receipts: the relayer is credited exactly the formula, each requester
    /// its allowance less its charge, and the fee split is untouched.
    function testFuzz_batch_reimbursesToTheWei(uint8 size) public {
        uint256 n = 1 + uint256(size) % 32;
        InferenceHub.Receipt[] memory batch = new InferenceHub.Receipt[](n);
        for (uint256 i; i < n; ++i) {
            (uint256 id, InferenceHub.Request memory req) =
                _requestWithGas(DAPP, model1, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
            batch[i] = _receipt(id, req, _output(), _keys(KEY_1));
        }
        uint256 dappBefore = vault.balanceOf(DAPP);
        uint256 owedBefore = _claimableTotal();
        vm.prank(RELAYER);
        hub.submitReceipts(batch);

        uint256 each = GasCharges.receipt(n, 1, _output().length) * PRICE;
        uint256 expected = n * each + GasCharges.REQUESTER_CREDIT * PRICE; // one requester
        assertEq(vault.balanceOf(RELAYER), expected, "relayer credited the formula");
        assertEq(vault.balanceOf(DAPP) - dappBefore, n * ALLOWANCE - expected, "requester gets the rest");
        assertEq(_claimableTotal() - owedBefore - (vault.balanceOf(DAPP) - dappBefore), n * FEE, "fees split whole");
    }

    /// 32 requesters in one batch: each pays the credit of its own remainder.
    function test_batch_distinctRequestersEachPayTheirCredit() public {
        uint256 n = 8;
        InferenceHub.Receipt[] memory batch = new InferenceHub.Receipt[](n);
        for (uint256 i; i < n; ++i) {
            address requester = address(uint160(0xF000 + i));
            vm.deal(requester, 1 ether);
            (uint256 id, InferenceHub.Request memory req) =
                _requestWithGas(requester, model1, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
            batch[i] = _receipt(id, req, _output(), _keys(KEY_1));
        }
        vm.prank(RELAYER);
        hub.submitReceipts(batch);
        uint256 each = (GasCharges.receipt(n, 1, _output().length) + GasCharges.REQUESTER_CREDIT) * PRICE;
        assertEq(vault.balanceOf(RELAYER), n * each, "a credit per requester");
        assertEq(vault.balanceOf(address(0xF003)), ALLOWANCE - each, "each gets its own rest");
    }

    /// A quorum-2 receipt costs a proof more.
    function test_quorumTwo_chargesAProofPerSigner() public {
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model2, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1, KEY_2)));
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        uint256 gas = GasCharges.receipt(1, 2, _output().length) + GasCharges.REQUESTER_CREDIT;
        assertEq(vault.balanceOf(RELAYER), gas * PRICE, "two proofs");
    }

    /// Above the requester's cap, gas is paid back at the cap.
    function test_gasPriceAboveTheCap_paysTheCap() public {
        uint256 cap = 1 gwei;
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(0), 0, ALLOWANCE, cap);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        uint256 gas = GasCharges.receipt(1, 1, _output().length) + GasCharges.REQUESTER_CREDIT;
        assertEq(vault.balanceOf(RELAYER), gas * cap, "priced at the cap, not at 3 gwei");
    }

    /// An allowance too small pays what it has and no more; the request still settles.
    function test_allowanceTooSmall_paysAllItHas() public {
        uint256 small = 1000 gwei;
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(0), 0, small, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        uint256 dappBefore = vault.balanceOf(DAPP);
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        assertEq(vault.balanceOf(RELAYER), small, "the whole allowance");
        assertEq(vault.balanceOf(DAPP), dappBefore, "nothing left to return");
        assertFalse(hub.isPending(id), "settled");
    }

    /// No allowance, no pay: the request is served all the same (a relayer may decline it).
    function test_noAllowance_paysNothing() public {
        (uint256 id, InferenceHub.Request memory req) = _request(model1, FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        assertEq(vault.balanceOf(RELAYER), 0, "nothing");
    }

    /// Calldata padded after the ABI-encoded batch earns the submitter nothing more.
    function test_paddedCalldata_earnsNothingMore() public {
        (uint256 a, InferenceHub.Request memory ra) =
            _requestWithGas(DAPP, model1, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
        (uint256 b, InferenceHub.Request memory rb) =
            _requestWithGas(DAPP, model1, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(a, ra, _output(), _keys(KEY_1)));
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        uint256 plain = vault.balanceOf(RELAYER);

        bytes memory data =
            abi.encodeCall(InferenceHub.submitReceipts, (_one(_receipt(b, rb, _output(), _keys(KEY_1)))));
        vm.prank(OTHER);
        (bool ok,) = address(hub).call(bytes.concat(data, new bytes(4096)));
        assertTrue(ok, "padded call settles");
        assertEq(vault.balanceOf(OTHER), plain, "same credit as unpadded");
    }

    // ----------------------------------------------------------- callbacks

    /// A callback's gas is measured: a heavier one costs the requester more, to the wei of the
    /// difference in gas it used; a reverting one is still charged; one that burns all its gas
    /// pays for all of it; a megabyte of return data costs the hub nothing.
    function test_callback_isChargedWhatItUsed() public {
        MeteredConsumer consumer = new MeteredConsumer();
        uint32 cbGas = 500_000;
        uint256 light = _settleWithCallback(consumer, 0, 10, cbGas);
        uint256 heavy = _settleWithCallback(consumer, 0, 1_000, cbGas);
        assertGt(heavy, light, "heavier costs more");
        uint256 fixedPart = (GasCharges.receipt(1, 1, _output().length) + GasCharges.REQUESTER_CREDIT) * PRICE;
        assertGt(light, fixedPart + GasCharges.CALLBACK * PRICE, "the callback is charged");
        assertLe(light, fixedPart + (GasCharges.CALLBACK + 30_000) * PRICE, "a light callback stays light");

        uint256 reverting = _settleWithCallback(consumer, 1, 0, cbGas);
        assertGt(reverting, fixedPart, "a reverting callback is still charged");

        uint256 huge = _settleWithCallback(consumer, 2, 0, cbGas);
        assertGt(huge, fixedPart, "charged");

        GasBurner burner = new GasBurner();
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(burner), cbGas, ALLOWANCE, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        uint256 before = vault.balanceOf(RELAYER);
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        uint256 burnt = vault.balanceOf(RELAYER) - before;
        assertGe(burnt, fixedPart + uint256(cbGas) * PRICE, "all its gas");
        assertLe(burnt, fixedPart + (uint256(cbGas) + GasCharges.CALLBACK + 5_000) * PRICE, "and no more");
    }

    /// A batch whose sender brought too little gas for a callback reverts whole.
    function test_callback_starvedRevertsTheBatch() public {
        MeteredConsumer consumer = new MeteredConsumer();
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(consumer), 1_000_000, ALLOWANCE, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.prank(RELAYER);
        (bool ok,) = address(hub).call{gas: 400_000}(abi.encodeCall(InferenceHub.submitReceipts, (list)));
        assertFalse(ok, "reverted");
        assertTrue(hub.isPending(id), "still pending");
        assertEq(vault.balanceOf(RELAYER), 0, "nothing credited");
    }

    function _settleWithCallback(MeteredConsumer consumer, uint256 mode, uint256 spin, uint32 cbGas)
        internal
        returns (uint256 credited)
    {
        consumer.set(mode, spin);
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(consumer), cbGas, ALLOWANCE, MAX_FEE);
        uint256 before = vault.balanceOf(RELAYER);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        return vault.balanceOf(RELAYER) - before;
    }

    // ----------------------------------------------------- failures, expiry

    function test_failure_refundsFeeAndTheRestOfTheAllowance() public {
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model2, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
        uint256 dappBefore = vault.balanceOf(DAPP);
        InferenceHub.Failure[] memory list = _oneFailure(_failure(id, req, 2, _keys(KEY_1, KEY_2)));
        vm.prank(RELAYER);
        hub.submitFailures(list);
        uint256 charge = (GasCharges.failure(1, 2) + GasCharges.REQUESTER_CREDIT) * PRICE;
        assertEq(vault.balanceOf(RELAYER), charge, "failure formula");
        assertEq(vault.balanceOf(DAPP) - dappBefore, FEE + ALLOWANCE - charge, "fee and rest");
    }

    function test_expire_paysWhoeverExpires() public {
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, FEE, address(0), 0, ALLOWANCE, MAX_FEE);
        vm.warp(req.deadline + 1);
        uint256 dappBefore = vault.balanceOf(DAPP);
        uint256[] memory charges = new uint256[](1);
        charges[0] = GasCharges.EXPIRY * PRICE;
        vm.expectEmit(true, false, false, true, address(hub));
        emit InferenceHub.GasReimbursed(OTHER, charges[0], charges);
        vm.prank(OTHER);
        hub.expire(id, req);
        assertEq(vault.balanceOf(OTHER), charges[0], "expiry formula");
        assertEq(vault.balanceOf(DAPP) - dappBefore, FEE + ALLOWANCE - charges[0], "fee and rest");
    }

    // ---------------------------------------------------------------- quote

    /// The quoted allowance covers a request served alone with its callback at the cap.
    function test_quote_coversASettlementAlone() public {
        MeteredConsumer consumer = new MeteredConsumer();
        consumer.set(0, 1_000);
        (uint256 fee, uint256 allowance) = hub.quote(model1, 200_000, MAX_FEE);
        assertEq(fee, FEE, "the model's fee");
        vm.txGasPrice(MAX_FEE);
        (uint256 id, InferenceHub.Request memory req) =
            _requestWithGas(DAPP, model1, fee, address(consumer), 200_000, allowance, MAX_FEE);
        InferenceHub.Receipt[] memory list = _one(_receipt(id, req, _output(), _keys(KEY_1)));
        uint256 dappBefore = vault.balanceOf(DAPP);
        vm.prank(RELAYER);
        hub.submitReceipts(list);
        assertGt(vault.balanceOf(DAPP), dappBefore, "something left over");
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.UnknownModel.selector, 99));
        hub.quote(99, 0, MAX_FEE);
    }

    // ------------------------------------------------------- signed requests

    function _signed(address requester, uint256 nonce) internal view returns (InferenceHub.SignedRequest memory) {
        return InferenceHub.SignedRequest(
            requester,
            model1,
            keccak256(_input()),
            FEE,
            ALLOWANCE,
            MAX_FEE,
            uint64(vm.getBlockTimestamp() + 1 hours),
            address(0),
            0,
            nonce
        );
    }

    function _deposit(address account, uint256 amount) internal {
        vm.deal(address(this), amount);
        vault.depositFor{value: amount}(account);
    }

    /// A user with only a vault deposit gets a request in; the relayer is paid for submitting it
    /// and the request carries the rest of the allowance.
    function test_signed_paidFromTheDeposit() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        bytes memory signature = _sign(USER_KEY, hub.requestDigest(sr));
        vm.prank(RELAYER);
        uint256 id = hub.requestInferenceFor(sr, _input(), signature);
        uint256 charge = vault.balanceOf(RELAYER);
        assertGt(charge, (GasCharges.SIGNED_REQUEST + GasCharges.INPUT_BYTE * _input().length) * PRICE, "paid");
        assertEq(vault.balanceOf(user), 1 ether - FEE - ALLOWANCE, "debited");
        assertEq(user.balance, 0, "no ETH of its own");
        InferenceHub.Request memory req = InferenceHub.Request(
            user, model1, sr.inputHash, FEE, sr.deadline, address(0), 0, ALLOWANCE - charge, MAX_FEE
        );
        assertEq(hub.commitmentOf(id), hub.hashRequest(req), "committed with the rest of the allowance");
        assertEq(hub.nonces(user, 0), 1, "nonce used");
        assertEq(
            address(hub).balance,
            vault.balanceOf(user) + vault.balanceOf(RELAYER) + FEE + ALLOWANCE - charge,
            "the deposit's rest and the relayer's pay owed, the request escrowed"
        );
    }

    function test_signed_replayIsRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        bytes memory sig = _sign(USER_KEY, hub.requestDigest(sr));
        hub.requestInferenceFor(sr, _input(), sig);
        vm.expectRevert(abi.encodeWithSelector(Nonces.InvalidAccountNonce.selector, user, 1));
        hub.requestInferenceFor(sr, _input(), sig);
    }

    /// Keyed nonces: a request on another key need not wait for the first key's sequence.
    function test_signed_keyedNoncesAreIndependent() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, uint256(7) << 64);
        hub.requestInferenceFor(sr, _input(), _sign(USER_KEY, hub.requestDigest(sr)));
        sr = _signed(user, 0);
        hub.requestInferenceFor(sr, _input(), _sign(USER_KEY, hub.requestDigest(sr)));
        assertEq(hub.nonces(user, 7), (uint256(7) << 64) | 1, "key 7 at 1");
    }

    function test_signed_wrongChainOrHubIsRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        _chain = vm.getChainId();
        vm.chainId(_chain + 1);
        bytes32 elsewhere = hub.requestDigest(sr);
        vm.chainId(_chain);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidRequestSignature.selector, user));
        hub.requestInferenceFor(sr, _input(), _sign(USER_KEY, elsewhere));
    }

    uint256 internal _chain;

    function test_signed_tamperedFieldsAreRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        bytes memory sig = _sign(USER_KEY, hub.requestDigest(sr));
        sr.maxFeePerGas = 1_000 gwei; // the relayer asks for more
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidRequestSignature.selector, user));
        hub.requestInferenceFor(sr, _input(), sig);
        sr.maxFeePerGas = MAX_FEE;
        bytes memory other = abi.encode(uint256(1));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InputHashMismatch.selector, keccak256(other), sr.inputHash));
        hub.requestInferenceFor(sr, other, sig);
    }

    function test_signed_expiredIsRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        bytes memory sig = _sign(USER_KEY, hub.requestDigest(sr));
        vm.warp(sr.deadline);
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.DeadlineInPast.selector, sr.deadline, sr.deadline));
        hub.requestInferenceFor(sr, _input(), sig);
    }

    function test_signed_insufficientBalanceIsRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, FEE);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        bytes memory sig = _sign(USER_KEY, hub.requestDigest(sr));
        vm.expectRevert(abi.encodeWithSelector(RewardVault.InsufficientBalance.selector, user, FEE, FEE + ALLOWANCE));
        hub.requestInferenceFor(sr, _input(), sig);
    }

    function test_signed_allowanceThatCannotPayTheSubmissionIsRefused() public {
        address user = vm.addr(USER_KEY);
        _deposit(user, 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(user, 0);
        sr.gasAllowance = 1 gwei;
        bytes memory sig = _sign(USER_KEY, hub.requestDigest(sr));
        vm.expectRevert(); // AllowanceTooSmall(charge, 1 gwei): the charge is measured
        hub.requestInferenceFor(sr, _input(), sig);
        assertEq(vault.balanceOf(user), 1 ether, "nothing taken");
    }

    /// A contract wallet's requests are checked with ERC-1271.
    function test_signed_contractWallet() public {
        OwnedWallet wallet = new OwnedWallet(vm.addr(USER_KEY));
        _deposit(address(wallet), 1 ether);
        InferenceHub.SignedRequest memory sr = _signed(address(wallet), 0);
        bytes memory signature = _sign(USER_KEY, hub.requestDigest(sr));
        vm.prank(RELAYER);
        hub.requestInferenceFor(sr, _input(), signature);
        assertEq(vault.balanceOf(address(wallet)), 1 ether - FEE - ALLOWANCE, "debited");
        sr = _signed(address(wallet), 1);
        bytes memory stranger = _sign(0xBAD, hub.requestDigest(sr));
        vm.expectRevert(abi.encodeWithSelector(InferenceHub.InvalidRequestSignature.selector, address(wallet)));
        hub.requestInferenceFor(sr, _input(), stranger);
    }

    function test_deposit_refusesNothingAndNobody() public {
        vm.expectRevert(RewardVault.ZeroDeposit.selector);
        vault.deposit();
        vm.deal(address(this), 1);
        vm.expectRevert(RewardVault.ZeroRecipient.selector);
        vault.depositFor{value: 1}(address(0));
    }
}

/// @dev Spends every gas it is given.
contract GasBurner is ICredenceConsumer {
    function onInferenceResult(uint256, bytes calldata) external pure {
        while (true) {}
    }

    function onInferenceRefund(uint256, uint16) external pure {
        while (true) {}
    }
}
