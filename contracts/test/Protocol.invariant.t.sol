// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CredenceFixture} from "./utils/CredenceFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {RewardVault} from "../src/RewardVault.sol";

/// @dev Drives the whole protocol at random: requests, honest settlements and failures, forged
///      settlements, expiry, claims and time. Keeps ghost books to compare against the contracts.
contract ProtocolHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    InferenceHub internal immutable hub;
    RewardVault internal immutable vault;
    uint256 internal immutable model1;
    uint256 internal immutable model2;
    bytes32 internal immutable modelHash;
    uint256[3] internal keys;
    address[] public accounts;

    InferenceHub.Request[] internal requests;
    uint256[] internal ids;
    mapping(uint256 => uint256) public closures;
    uint256 public escrow;
    uint256 public doubleClosures;
    uint256 public forgedAccepted;
    uint256 public paidOut;
    uint256 public feesPaid;

    constructor(
        InferenceHub hub_,
        uint256 m1,
        uint256 m2,
        bytes32 modelHash_,
        uint256[3] memory keys_,
        address[] memory accounts_
    ) {
        hub = hub_;
        vault = RewardVault(address(hub_));
        model1 = m1;
        model2 = m2;
        modelHash = modelHash_;
        keys = keys_;
        accounts = accounts_;
    }

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function request(uint256 feeSeed, bool quorumTwo, uint256 requesterSeed) external {
        uint256 fee = 0.01 ether + feeSeed % 1 ether;
        address requester = accounts[requesterSeed % accounts.length];
        vm.deal(requester, requester.balance + fee);
        bytes memory input = abi.encode(feeSeed);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        uint256 model = quorumTwo ? model2 : model1;
        vm.prank(requester);
        uint256 id = hub.requestInference{value: fee}(model, input, deadline, address(0), 0);
        requests.push(InferenceHub.Request(requester, model, keccak256(input), fee, deadline, address(0), 0));
        ids.push(id);
        escrow += fee;
        feesPaid += fee;
    }

    function settle(uint256 pick, bytes32 outputSeed) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        InferenceHub.Request memory req = requests[i];
        bytes memory output = abi.encode(outputSeed);
        bytes32 digest = hub.receiptDigest(ids[i], modelHash, req.inputHash, keccak256(output), uint64(block.timestamp));
        InferenceHub.Receipt[] memory list = new InferenceHub.Receipt[](1);
        list[0] = InferenceHub.Receipt(
            ids[i], req, output, _withTime(_quorumSigs(digest, req.modelId == model2), uint64(block.timestamp))
        );
        hub.submitReceipts(list);
        _closed(i);
    }

    function fail(uint256 pick, uint16 reason) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        InferenceHub.Request memory req = requests[i];
        reason = 1 + reason % 9;
        bytes32 digest = hub.failureDigest(ids[i], modelHash, req.inputHash, reason, bytes32(0));
        InferenceHub.Failure[] memory list = new InferenceHub.Failure[](1);
        list[0] = InferenceHub.Failure(ids[i], req, reason, bytes32(0), _quorumSigs(digest, req.modelId == model2));
        hub.submitFailures(list);
        _closed(i);
    }

    /// A settlement signed by a key that is not a registered worker must never be accepted.
    function settleForged(uint256 pick, uint256 forgerKey) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        forgerKey = 0x1000 + forgerKey % 1000;
        InferenceHub.Request memory req = requests[i];
        bytes memory output = "forged";
        bytes32 digest = hub.receiptDigest(ids[i], modelHash, req.inputHash, keccak256(output), 1);
        bytes memory sigs = _sig(forgerKey, digest);
        if (req.modelId == model2) sigs = bytes.concat(sigs, _sig(keys[0], digest));
        InferenceHub.Receipt[] memory list = new InferenceHub.Receipt[](1);
        list[0] = InferenceHub.Receipt(ids[i], req, output, _withTime(sigs, 1));
        try hub.submitReceipts(list) {
            forgedAccepted++;
        } catch {}
    }

    function expire(uint256 pick) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        InferenceHub.Request memory req = requests[i];
        if (block.timestamp <= req.deadline) vm.warp(req.deadline + 1);
        hub.expire(ids[i], req);
        _closed(i);
    }

    function claim(uint256 who) external {
        address account = accounts[who % accounts.length];
        uint256 owed = vault.claimable(account);
        if (owed == 0) return;
        uint256[] memory models = new uint256[](2);
        (models[0], models[1]) = (model1, model2);
        vm.prank(account);
        vault.claim(models);
        paidOut += owed;
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(block.timestamp + secondsAhead % 2 hours);
    }

    /// @dev Proofs from 65-byte signatures all made with executedAt `t`.
    function _withTime(bytes memory sigs, uint64 t) internal pure returns (bytes memory proofs) {
        for (uint256 k; k < sigs.length / 65; ++k) {
            bytes memory one = new bytes(65);
            for (uint256 j; j < 65; ++j) {
                one[j] = sigs[k * 65 + j];
            }
            proofs = bytes.concat(proofs, one, bytes8(t));
        }
    }

    function _pending(uint256 pick) internal view returns (bool, uint256) {
        uint256 n = ids.length;
        if (n == 0) return (false, 0);
        uint256 start = pick % n;
        for (uint256 k; k < n; ++k) {
            uint256 i = (start + k) % n;
            if (hub.isPending(ids[i]) && block.timestamp <= requests[i].deadline) return (true, i);
        }
        return (false, 0);
    }

    function _closed(uint256 i) internal {
        if (++closures[ids[i]] > 1) doubleClosures++;
        escrow -= requests[i].fee;
    }

    function _quorumSigs(bytes32 digest, bool two) internal view returns (bytes memory) {
        if (!two) return _sig(keys[2], digest);
        (uint256 a, uint256 b) = vm.addr(keys[0]) < vm.addr(keys[1]) ? (keys[0], keys[1]) : (keys[1], keys[0]);
        return bytes.concat(_sig(a, digest), _sig(b, digest));
    }

    function _sig(uint256 key, bytes32 digest) internal pure returns (bytes memory) {
        (uint8 v, bytes32 r, bytes32 s) = vm.sign(key, digest);
        return abi.encodePacked(r, s, v);
    }
}

contract ProtocolInvariantTest is CredenceFixture {
    ProtocolHandler internal handler;

    function setUp() public override {
        super.setUp();
        address[] memory accounts = new address[](8);
        accounts[0] = TREASURY;
        accounts[1] = AUTHOR;
        accounts[2] = PROVIDER;
        accounts[3] = OTHER;
        accounts[4] = DAPP;
        accounts[5] = OPERATOR_1;
        accounts[6] = OPERATOR_2;
        accounts[7] = OPERATOR_3;
        handler = new ProtocolHandler(hub, model1, model2, MODEL_HASH, [KEY_1, KEY_2, KEY_3], accounts);
        targetContract(address(handler));
    }

    /// The hub holds exactly the escrow of pending requests plus what its vault owes: balances,
    /// undistributed pools and accrued protocol fees; and the claimable view agrees to the wei.
    function invariant_hubHoldsExactlyEscrowPlusWhatItOwes() public view {
        uint256 owed = vault.protocolFeesAccrued() + vault.pendingPool(model1) + vault.pendingPool(model2);
        uint256 claimable;
        for (uint256 i; i < handler.accountCount(); ++i) {
            address a = handler.accounts(i);
            owed += vault.balanceOf(a);
            claimable += vault.claimable(a);
        }
        assertEq(address(hub).balance, handler.escrow() + owed, "hub balance == escrow + owed");
        assertEq(address(hub).balance, handler.escrow() + claimable, "hub balance == escrow + sum of claimable");
    }

    /// Every wei paid in is escrowed, owed or paid out.
    function invariant_noWeiLostOrCreated() public view {
        assertEq(handler.feesPaid(), address(hub).balance + handler.paidOut(), "fees conserved");
    }

    /// No request closes twice; no forged quorum is ever accepted.
    function invariant_noDoubleSettlementNoForgery() public view {
        assertEq(handler.doubleClosures(), 0, "double closures");
        assertEq(handler.forgedAccepted(), 0, "forged receipts accepted");
    }

    /// Stakes are untouched by settlement.
    function invariant_stakesHeld() public view {
        assertEq(address(workers).balance, 4 * MIN_STAKE, "stakes");
    }
}
