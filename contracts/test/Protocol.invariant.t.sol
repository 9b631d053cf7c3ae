// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {CourtFixture} from "./utils/CourtFixture.sol";
import {Vm} from "./utils/Vm.sol";
import {ModelRegistry} from "../src/ModelRegistry.sol";
import {InferenceHub} from "../src/InferenceHub.sol";
import {RewardVault} from "../src/RewardVault.sol";
import {DisputeCourt} from "../src/DisputeCourt.sol";
import {WorkerRegistry} from "../src/WorkerRegistry.sol";
import {Feedback} from "../src/Feedback.sol";

/// @dev Drives the whole protocol at random: requests, honest settlements, lies, failures, forged
///      settlements, expiry, claims, audits, challenges, verdicts, resolutions, blocks and time.
///      Keeps ghost books to compare against the contracts. Every juror votes honestly: a verdict
///      agrees exactly when the settled output is the request's true answer.
contract ProtocolHandler {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

    InferenceHub internal immutable hub;
    RewardVault internal immutable vault;
    uint256 internal immutable model1;
    uint256 internal immutable model2;
    uint256 internal immutable model3; // derived from model1 and model2
    bytes32 internal immutable modelHash;
    uint256[3] internal keys;
    address[] public accounts;

    InferenceHub.Request[] internal requests;
    uint256[] internal ids;
    mapping(uint256 => uint256) public closures;
    uint256 public escrow;
    uint256 internal constant SIGNER_KEY = 0x5161ED;
    address public immutable signedRequester = vm.addr(SIGNER_KEY); // requests signed off-chain

    // the court's side
    DisputeCourt internal court;
    Feedback internal feedback;
    uint256 public ratings;
    WorkerRegistry internal workers;
    uint256[5] internal jurorKeys; // every worker key, to sign verdicts
    uint256 internal liarKey; // the only key that ever signs a wrong output (model 1)
    address internal constant CHALLENGER = address(0xC4A1);
    mapping(uint256 index => bytes) internal outputs;
    mapping(uint256 index => address[]) internal signersOf;

    struct SettledBatch {
        uint256 batchId;
        uint64 settledBlock;
        uint64 settledAt;
        uint256[] indexes;
    }
    SettledBatch[] internal batches;
    uint256 public bondsPaid;
    uint256 public liesSettled;
    mapping(uint256 requestId => uint256) public refunds;
    uint256 public doubleRefunds;
    uint256 public disputesResolved;
    uint256 public doubleClosures;
    uint256 public forgedAccepted;
    uint256 public paidOut;
    uint256 public feesPaid;

    constructor(
        DisputeCourt court_,
        uint256 m1,
        uint256 m2,
        uint256 m3,
        bytes32 modelHash_,
        uint256[3] memory keys_,
        uint256[5] memory jurorKeys_,
        address[] memory accounts_
    ) {
        court = court_;
        feedback = Feedback(court_.hub().feedback());
        workers = court_.workers();
        jurorKeys = jurorKeys_;
        liarKey = jurorKeys_[4];
        InferenceHub hub_ = court_.hub();
        hub = hub_;
        vault = RewardVault(address(hub_));
        model1 = m1;
        model2 = m2;
        model3 = m3;
        modelHash = modelHash_;
        keys = keys_;
        accounts = accounts_;
        accounts.push(address(this)); // draws audits, submits everything: paid back its gas
        accounts.push(signedRequester); // signs requests paid from its deposit
    }

    /// ETH the court must hold: the bonds of open disputes and the stake it keeps for refunds.
    function courtOwes() external view returns (uint256 owed) {
        for (uint256 id = 1; id <= court.disputeCount(); ++id) {
            DisputeCourt.Dispute memory d = court.dispute(id);
            if (d.state == court.STATE_AWAITING_JURY() || d.state == court.STATE_VOTING()) owed += d.bond;
        }
        for (uint256 k; k < jurorKeys.length; ++k) {
            (uint256 kept,) = court.forfeitOf(vm.addr(jurorKeys[k]));
            owed += kept;
        }
    }

    /// Claims what it earned drawing audits.
    receive() external payable {}

    function accountCount() external view returns (uint256) {
        return accounts.length;
    }

    function request(uint256 feeSeed, bool quorumTwo, uint256 requesterSeed, uint256 gasSeed) external {
        uint256 fee = 0.01 ether + feeSeed % 1 ether;
        (uint256 allowance, uint256 maxFee) = _gasTerms(gasSeed);
        address requester = accounts[requesterSeed % accounts.length];
        vm.deal(requester, requester.balance + fee + allowance);
        bytes memory input = abi.encode(feeSeed);
        uint64 deadline = uint64(block.timestamp + 1 hours);
        uint256 model = quorumTwo ? model2 : feeSeed % 2 == 0 ? model1 : model3;
        vm.prank(requester);
        uint256 id =
            hub.requestInference{value: fee + allowance}(model, input, deadline, address(0), 0, allowance, maxFee);
        requests.push(
            InferenceHub.Request(requester, model, keccak256(input), fee, deadline, address(0), 0, allowance, maxFee)
        );
        ids.push(id);
        escrow += fee + allowance;
        feesPaid += fee + allowance;
    }

    /// A request signed by SIGNER and submitted by this handler, paid from SIGNER's deposit; the
    /// handler is paid back its gas from the allowance.
    function requestSigned(uint256 feeSeed, uint256 gasSeed, uint256 gasPrice) external {
        uint256 fee = 0.01 ether + feeSeed % 1 ether;
        (uint256 allowance, uint256 maxFee) = _gasTerms(gasSeed);
        allowance += 0.001 ether; // enough for the submission at up to 10 gwei
        uint256 balance = vault.balanceOf(signedRequester);
        if (balance < fee + allowance) {
            uint256 topUp = fee + allowance - balance;
            vm.deal(signedRequester, topUp);
            vm.prank(signedRequester);
            vault.deposit{value: topUp}();
            feesPaid += topUp;
        }
        bytes memory input = abi.encode(feeSeed, "signed");
        InferenceHub.SignedRequest memory sr = InferenceHub.SignedRequest(
            signedRequester,
            model1,
            keccak256(input),
            fee,
            allowance,
            maxFee,
            uint64(block.timestamp + 1 hours),
            address(0),
            0,
            hub.nonces(signedRequester, 7) // key 7, its next nonce
        );
        vm.txGasPrice(gasPrice % 10 gwei);
        uint256 before = vault.balanceOf(address(this));
        uint256 id = hub.requestInferenceFor(sr, input, _sig(SIGNER_KEY, hub.requestDigest(sr)));
        uint256 charge = vault.balanceOf(address(this)) - before;
        requests.push(
            InferenceHub.Request(
                signedRequester, model1, sr.inputHash, fee, sr.deadline, address(0), 0, allowance - charge, maxFee
            )
        );
        ids.push(id);
        escrow += fee + allowance - charge;
    }

    /// A gas allowance of up to 0.01 ether, paying back at up to 100 gwei (0 for either at times).
    function _gasTerms(uint256 gasSeed) internal pure returns (uint256 allowance, uint256 maxFee) {
        allowance = gasSeed % 4 == 0 ? 0 : (gasSeed >> 8) % 0.01 ether;
        maxFee = gasSeed % 5 == 0 ? 0 : (gasSeed >> 128) % 100 gwei;
    }

    /// An honest answer: the request's true output, signed by its quorum.
    function settle(uint256 pick) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        InferenceHub.Request memory req = requests[i];
        bytes memory output = _truth(ids[i]);
        bytes32 digest = hub.receiptDigest(ids[i], modelHash, req.inputHash, keccak256(output), uint64(block.timestamp));
        bool two = req.modelId == model2;
        _gasPrice(pick >> 8);
        _settleOne(i, output, _quorumSigs(digest, two), two ? _quorumSigners() : _one(vm.addr(keys[2])));
    }

    /// A wrong answer of a model-1 request, signed by the liar while it is still staked.
    function lie(uint256 pick, bytes32 outputSeed) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found || requests[i].modelId != model1 || !workers.isActive(vm.addr(liarKey))) return;
        InferenceHub.Request memory req = requests[i];
        bytes memory output = abi.encode(outputSeed, "wrong");
        bytes32 digest = hub.receiptDigest(ids[i], modelHash, req.inputHash, keccak256(output), uint64(block.timestamp));
        _gasPrice(pick >> 8);
        _settleOne(i, output, _sig(liarKey, digest), _one(vm.addr(liarKey)));
        liesSettled++;
    }

    function _settleOne(uint256 i, bytes memory output, bytes memory sigs, address[] memory signers) internal {
        InferenceHub.Receipt[] memory list = new InferenceHub.Receipt[](1);
        list[0] = InferenceHub.Receipt(ids[i], requests[i], output, _withTime(sigs, uint64(block.timestamp)));
        hub.submitReceipts(list);
        _closed(i);
        outputs[i] = output;
        signersOf[i] = signers;
        SettledBatch storage b = batches.push();
        b.batchId = ids[i];
        b.settledBlock = uint64(block.number);
        b.settledAt = uint64(block.timestamp);
        b.indexes.push(i);
    }

    // ------------------------------------------------------------------ court

    function drawAudits(uint256 pick) external {
        uint256 n = batches.length;
        if (n == 0) return;
        SettledBatch storage b = batches[pick % n];
        if (court.auditsDrawn(b.batchId)) return;
        if (block.number > b.settledBlock + 1 + 256) return; // the seed is gone: undrawn
        if (block.number <= b.settledBlock + 1) vm.roll(b.settledBlock + 2);
        _gasPrice(pick); // a draw that opens audits is paid back from the protocol's share
        court.drawAudits(b.batchId, b.settledBlock, b.settledAt, _leaves(b));
    }

    function challenge(uint256 pick) external {
        uint256 n = batches.length;
        if (n == 0) return;
        SettledBatch storage b = batches[pick % n];
        uint256 i = b.indexes[0];
        if (court.openDisputeOf(ids[i]) != 0 || court.faultOf(ids[i]) != 0) return;
        if (block.timestamp > b.settledAt + court.termsOf(requests[i].modelId).challengeWindow) return;
        uint256 bond = court.requiredBond(requests[i].fee);
        vm.deal(CHALLENGER, CHALLENGER.balance + bond);
        bondsPaid += bond;
        DisputeCourt.Leaf[] memory leaves = _leaves(b);
        DisputeCourt.Batch memory batch = _batch(b);
        vm.prank(CHALLENGER);
        uint256 id = court.challenge{value: bond}(batch, 0, leaves[0]);
        if (pick % 2 == 0) {
            vm.roll(vm.getBlockNumber() + 2);
            court.drawJury(id);
        }
    }

    function drawJury(uint256 pick) external {
        (bool found, uint256 id) = _disputeIn(pick, court.STATE_AWAITING_JURY());
        if (!found || block.number <= court.dispute(id).seedBlock) return;
        _gasPrice(pick);
        court.drawJury(id);
    }

    /// Jurors in `voters` vote, honestly, while the window is open; mostly all of them.
    function vote(uint256 pick, uint256 voters) external {
        if (voters % 4 != 0) voters = type(uint256).max;
        (bool found, uint256 id) = _disputeIn(pick, court.STATE_VOTING());
        if (!found) return;
        DisputeCourt.Dispute memory d = court.dispute(id);
        if (block.timestamp > d.verdictDeadline) return;
        bool honest = d.outputHash == keccak256(_truth(d.requestId));
        DisputeCourt.Verdict[] memory list = new DisputeCourt.Verdict[](d.jurors.length);
        uint256 k;
        for (uint256 j; j < d.jurors.length; ++j) {
            if ((voters >> j) & 1 == 0 || (d.voted >> j) & 1 == 1) continue;
            bytes32 mine = keccak256(_truth(d.requestId));
            bytes32 digest = court.verdictDigest(id, d.requestId, d.outputHash, mine, honest);
            list[k++] = DisputeCourt.Verdict(id, mine, honest, _sig(_keyOf(d.jurors[j]), digest));
        }
        if (k == 0) return;
        assembly ("memory-safe") {
            mstore(list, k)
        }
        _gasPrice(voters);
        court.submitVerdicts(list);
        _afterResolution(id);
    }

    function resolve(uint256 pick) external {
        (bool found, uint256 id) = _disputeIn(pick, court.STATE_VOTING());
        if (!found) return;
        uint64 deadline = court.dispute(id).verdictDeadline;
        if (block.timestamp <= deadline) vm.warp(deadline + 1);
        _gasPrice(pick);
        court.resolve(id);
        _afterResolution(id);
    }

    function roll(uint256 blocks) external {
        vm.roll(vm.getBlockNumber() + 1 + blocks % 8);
    }

    function _afterResolution(uint256 id) internal {
        DisputeCourt.Dispute memory d = court.dispute(id);
        if (d.state < court.STATE_FAULT_PROVEN()) return;
        disputesResolved++;
        if (d.state == court.STATE_FAULT_PROVEN() && ++refunds[d.requestId] > 1) doubleRefunds++;
    }

    function _disputeIn(uint256 pick, uint8 state) internal view returns (bool, uint256) {
        uint256 n = court.disputeCount();
        if (n == 0) return (false, 0);
        uint256 start = pick % n;
        for (uint256 k; k < n; ++k) {
            uint256 id = 1 + (start + k) % n;
            if (court.dispute(id).state == state) return (true, id);
        }
        return (false, 0);
    }

    function _leaves(SettledBatch storage b) internal view returns (DisputeCourt.Leaf[] memory leaves) {
        leaves = new DisputeCourt.Leaf[](b.indexes.length);
        for (uint256 k; k < b.indexes.length; ++k) {
            uint256 i = b.indexes[k];
            leaves[k] = DisputeCourt.Leaf(ids[i], requests[i], keccak256(outputs[i]), signersOf[i]);
        }
    }

    function _batch(SettledBatch storage b) internal view returns (DisputeCourt.Batch memory batch) {
        DisputeCourt.Leaf[] memory leaves = _leaves(b);
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 k; k < leaves.length; ++k) {
            bytes32 commitment = hub.hashRequest(leaves[k].request);
            hashes[k] = keccak256(
                abi.encode(
                    leaves[k].requestId,
                    commitment,
                    leaves[k].outputHash,
                    keccak256(abi.encodePacked(leaves[k].signers))
                )
            );
        }
        return DisputeCourt.Batch(b.batchId, b.settledBlock, b.settledAt, hashes);
    }

    function _truth(uint256 requestId) internal pure returns (bytes memory) {
        return abi.encode(keccak256(abi.encode("truth", requestId)));
    }

    function _keyOf(address signer) internal view returns (uint256) {
        for (uint256 k; k < jurorKeys.length; ++k) {
            if (vm.addr(jurorKeys[k]) == signer) return jurorKeys[k];
        }
        revert("unknown juror");
    }

    function _one(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _quorumSigners() internal view returns (address[] memory list) {
        list = new address[](2);
        (list[0], list[1]) = vm.addr(keys[0]) < vm.addr(keys[1])
            ? (vm.addr(keys[0]), vm.addr(keys[1]))
            : (vm.addr(keys[1]), vm.addr(keys[0]));
    }

    function fail(uint256 pick, uint16 reason) external {
        (bool found, uint256 i) = _pending(pick);
        if (!found) return;
        InferenceHub.Request memory req = requests[i];
        reason = 1 + reason % 9;
        bytes32 digest = hub.failureDigest(ids[i], modelHash, req.inputHash, reason, bytes32(0));
        InferenceHub.Failure[] memory list = new InferenceHub.Failure[](1);
        list[0] = InferenceHub.Failure(ids[i], req, reason, bytes32(0), _quorumSigs(digest, req.modelId == model2));
        _gasPrice(pick >> 8);
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
        _gasPrice(pick >> 8);
        hub.expire(ids[i], req);
        _closed(i);
    }

    function claim(uint256 who) external {
        address account = accounts[who % accounts.length];
        uint256 owed = vault.claimable(account);
        if (owed == 0) return;
        uint256[] memory models = new uint256[](3);
        (models[0], models[1], models[2]) = (model3, model1, model2); // a derivative before its parents
        vm.prank(account);
        uint256 paid = vault.claim(models);
        require(paid >= owed, "a claim pays at least what claimable said");
        paidOut += paid;
    }

    /// The requester of a settled answer rates it, within the window, once; its rebate comes from
    /// the protocol's share.
    function rate(uint256 pick, uint8 score) external {
        uint256 n = batches.length;
        if (n == 0) return;
        SettledBatch storage b = batches[pick % n];
        uint256 k = (pick / 7) % b.indexes.length;
        uint256 i = b.indexes[k];
        if (feedback.scoreOf(ids[i]) != 0) return;
        if (block.timestamp > b.settledAt + feedback.terms().window) return;
        DisputeCourt.Leaf[] memory leaves = _leaves(b);
        DisputeCourt.Batch memory batch = _batch(b);
        vm.prank(requests[i].requester);
        feedback.rate(batch, k, leaves[k], uint8(1 + score % 5), bytes32(pick));
        ratings++;
    }

    /// Requests with a score: each rated once, so as many as the ratings made.
    function scored() external view returns (uint256 count) {
        for (uint256 i; i < ids.length; ++i) {
            if (feedback.scoreOf(ids[i]) != 0) count++;
        }
    }

    /// Distributes a pool: a derived model's pays its parents' pools first.
    function distribute(uint256 pick) external {
        uint256[3] memory models = [model1, model2, model3];
        vault.distribute(models[pick % 3]);
    }

    function warp(uint256 secondsAhead) external {
        vm.warp(vm.getBlockTimestamp() + secondsAhead % 2 hours);
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
        escrow -= requests[i].fee + requests[i].gasAllowance;
    }

    /// The next transaction's gas price: up to 200 gwei, above some requests' caps.
    function _gasPrice(uint256 seed) internal {
        vm.txGasPrice(seed % 200 gwei);
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

contract ProtocolInvariantTest is CourtFixture {
    ProtocolHandler internal handler;
    uint256 internal model3;
    uint256 internal stakes;

    function setUp() public override {
        super.setUp();
        address[] memory accounts = new address[](11);
        accounts[0] = TREASURY;
        accounts[1] = AUTHOR;
        accounts[2] = PROVIDER;
        accounts[3] = OTHER;
        accounts[4] = DAPP;
        accounts[5] = OPERATOR_1;
        accounts[6] = OPERATOR_2;
        accounts[7] = OPERATOR_3;
        accounts[8] = OPERATOR_4;
        accounts[9] = OPERATOR_5;
        accounts[10] = CHALLENGER;
        vm.deal(CHALLENGER, 0); // the handler pays each bond in
        ModelRegistry.Parent[] memory parents = new ModelRegistry.Parent[](2);
        parents[0] = ModelRegistry.Parent(uint96(model1), registry.DERIVED_FINE_TUNE(), 3_000);
        parents[1] = ModelRegistry.Parent(uint96(model2), registry.DERIVED_DISTILL(), 2_000);
        Feedback feedback = new Feedback(OWNER, hub, Feedback.Terms(1 days, 200));
        vm.prank(OWNER);
        hub.setFeedback(address(feedback));
        vm.prank(AUTHOR);
        model3 = registry.registerDerivedModel(MODEL_HASH, "file:models/iris.onnx", FEE, 1, _contributors(), parents);
        handler =
            new ProtocolHandler(court, model1, model2, model3, MODEL_HASH, [KEY_1, KEY_2, KEY_3], _allKeys(), accounts);
        _setTerms(model1, 5_000, 3);
        targetContract(address(handler));
        // one sender with no part in the books: calls made at a gas price (vm.txGasPrice) pay the
        // transaction's fee from their sender, which would otherwise be any account forge has seen
        targetSender(address(0x5E4D));
        stakes = address(workers).balance;
    }

    /// The hub holds exactly the escrow of pending requests plus what its vault owes: balances,
    /// undistributed pools and accrued protocol fees; and the claimable view agrees to the wei.
    function invariant_hubHoldsExactlyEscrowPlusWhatItOwes() public view {
        uint256 owed = vault.protocolFeesAccrued() + vault.pendingPool(model1) + vault.pendingPool(model2)
            + vault.pendingPool(model3);
        uint256 claimable;
        for (uint256 i; i < handler.accountCount(); ++i) {
            address a = handler.accounts(i);
            owed += vault.balanceOf(a);
            claimable += vault.claimable(a);
        }
        assertEq(address(hub).balance, handler.escrow() + owed, "hub balance == escrow + owed");
        // claimable leaves out the parents' parts still in the derived model's pool (they reach
        // the parents' contributors once it is distributed)
        uint256 p3 = vault.pendingPool(model3);
        claimable += p3 * 3_000 / 10_000 + p3 * 2_000 / 10_000;
        assertEq(address(hub).balance, handler.escrow() + claimable, "hub balance == escrow + sum of claimable");
    }

    /// Every wei paid in (fees, bonds) or slashed is escrowed, owed, held by the court or paid out.
    function invariant_noWeiLostOrCreated() public view {
        uint256 slashed = stakes - address(workers).balance;
        assertEq(
            handler.feesPaid() + handler.bondsPaid() + slashed,
            address(hub).balance + address(court).balance + handler.paidOut(),
            "conserved"
        );
    }

    /// A rating per rated request: none was counted twice or lost.
    function invariant_eachRatedRequestRatedOnce() public view {
        assertEq(handler.scored(), handler.ratings(), "one score per rating");
    }

    /// The court holds exactly the bonds of open disputes and the stake it keeps for refunds.
    function invariant_courtHoldsExactlyBondsAndKeptStake() public view {
        assertEq(address(court).balance, handler.courtOwes(), "court balance == open bonds + kept stake");
    }

    /// No request closes twice or is refunded twice; no forged quorum is ever accepted.
    function invariant_noDoubleSettlementNoForgery() public view {
        assertEq(handler.doubleClosures(), 0, "double closures");
        assertEq(handler.doubleRefunds(), 0, "double refunds");
        assertEq(handler.forgedAccepted(), 0, "forged receipts accepted");
    }

    /// Only the liar can lose stake: an honest key is never slashed.
    function invariant_honestKeysNeverSlashed() public view {
        uint256[5] memory keys = _allKeys();
        for (uint256 k; k < 4; ++k) {
            (,,,, bool banned,) = workers.worker(vm.addr(keys[k]));
            assertFalse(banned, "an honest key was slashed");
        }
        uint256 slashed = stakes - address(workers).balance;
        assertTrue(slashed == 0 || slashed == MIN_STAKE, "only the liar's stake");
    }
}
