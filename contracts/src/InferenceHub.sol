// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {NoncesKeyed} from "@openzeppelin/contracts/utils/NoncesKeyed.sol";
import {ModelRegistry, IModelTermsSink} from "./ModelRegistry.sol";
import {WorkerRegistry, ISlashedStakeSink, IMinStakeSink} from "./WorkerRegistry.sol";
import {RewardVault} from "./RewardVault.sol";
import {ICredenceConsumer} from "./ICredenceConsumer.sol";
import {SettlementRecords} from "./SettlementRecords.sol";
import {GasCharges} from "./GasCharges.sol";

/// @title InferenceHub
/// @notice Requests, receipts, failures and expiry. A request escrows its fee and its gas
///         allowance here and is stored as one commitment slot; whoever settles it resends the request's fields. Every
///         settlement batch leaves a record (SettlementRecords) in the slot of its first request,
///         from which the DisputeCourt proves what was settled when an answer is challenged or
///         audited. A
///         receipt needs `quorum` EIP-712 signatures by distinct active workers over the same
///         output; settlement emits the output, credits the fee in the vault split between the
///         protocol, the workers and the model's contributors, and calls the requester back with
///         the gas it asked for. A worker-signed failure, or expiry after the deadline, refunds
///         the fee in full (claimable in the vault). Whoever sends a settlement, a failure or an
///         expiry is paid back its gas from each request's allowance (GasCharges); what is left
///         of the allowance goes back to the requester. A request can also be signed off-chain
///         (EIP-712 InferenceRequest) and submitted by anyone, paid from the requester's vault
///         balance (`deposit`).
/// @dev    The RewardVault is a module of this contract: the ETH held here always equals the fees
///         of pending requests plus everything claimable. Model terms are pushed here by the
///         ModelRegistry; signers are checked against the WorkerRegistry once per batch. Pausing
///         stops new requests only: settlement, failures, expiry and claims always work, so no
///         money is ever stuck.
contract InferenceHub is
    EIP712,
    NoncesKeyed,
    Ownable2Step,
    RewardVault,
    IModelTermsSink,
    ISlashedStakeSink,
    IMinStakeSink
{
    uint256 private constant BPS = 10_000;
    uint256 private constant SIGNATURE_BYTES = 65;
    /// @dev A receipt's proof per signer: signature (65 bytes) and the signer's executedAt (8).
    uint256 private constant PROOF_BYTES = 73;

    /// @notice Upper bound on the protocol's share of a fee.
    uint16 public constant MAX_PROTOCOL_BPS = 2_000;
    /// @notice A request's deadline may be at most this far ahead.
    uint64 public constant MAX_DEADLINE_WINDOW = 30 days;
    /// @notice Gas the hub keeps for itself around a callback.
    uint256 public constant CALLBACK_OVERHEAD = 12_000;

    bytes32 public constant RECEIPT_TYPEHASH = keccak256(
        "InferenceReceipt(uint256 requestId,bytes32 modelHash,bytes32 inputHash,bytes32 outputHash,uint64 executedAt)"
    );
    bytes32 public constant FAILURE_TYPEHASH = keccak256(
        "InferenceFailure(uint256 requestId,bytes32 modelHash,bytes32 inputHash,uint16 reason,bytes32 detailHash)"
    );
    bytes32 public constant REQUEST_TYPEHASH = keccak256(
        "InferenceRequest(address requester,uint256 modelId,bytes32 inputHash,uint256 fee,uint256 gasAllowance,uint256 maxFeePerGas,uint64 deadline,address callback,uint32 callbackGas,uint256 nonce)"
    );

    /// @notice Why a receipt or failure in a batch was skipped.
    uint8 public constant SKIP_NOT_PENDING = 1; // settled, refunded or expired already
    uint8 public constant SKIP_DEADLINE_PASSED = 2;

    /// @notice A request as committed at `requestInference`; its hash is all the hub stores.
    ///         `gasAllowance` pays back the gas of serving it, at most `maxFeePerGas` per gas
    ///         (for a signed request: what is left after paying for its submission).
    struct Request {
        address requester;
        uint256 modelId;
        bytes32 inputHash;
        uint256 fee;
        uint64 deadline;
        address callback;
        uint32 callbackGas;
        uint256 gasAllowance;
        uint256 maxFeePerGas;
    }

    /// @notice A request signed off-chain by its requester (EIP-712 InferenceRequest, the same
    ///         fields), paid from the requester's vault balance. `nonce` is a keyed nonce: the
    ///         top 192 bits a key of the requester's choosing, the low 64 bits that key's
    ///         sequence (`nonces(requester, key)`), so independent requests need not wait for
    ///         each other. `deadline` is also the signature's expiry.
    struct SignedRequest {
        address requester;
        uint256 modelId;
        bytes32 inputHash;
        uint256 fee;
        uint256 gasAllowance;
        uint256 maxFeePerGas;
        uint64 deadline;
        address callback;
        uint32 callbackGas;
        uint256 nonce;
    }

    /// @notice A settled answer: the output and the quorum's proofs, ordered by ascending signer
    ///         address. A proof is 73 bytes: the signature (r|s|v) of the InferenceReceipt with
    ///         the signer's own executedAt, then that executedAt (uint64, big-endian). Workers run
    ///         a job at different times, and each attests its own.
    struct Receipt {
        uint256 requestId;
        Request request;
        bytes output;
        bytes proofs;
    }

    /// @notice A worker-signed failure; refunds the requester in full.
    struct Failure {
        uint256 requestId;
        Request request;
        uint16 reason;
        bytes32 detailHash;
        bytes signatures;
    }

    /// @notice One worker's signed receipt, as evidence of equivocation.
    struct SignedReceipt {
        uint256 requestId;
        bytes32 modelHash;
        bytes32 inputHash;
        bytes32 outputHash;
        uint64 executedAt;
        bytes signature;
    }

    /// @dev One slot, read by every request.
    struct Config {
        uint64 nextRequestId;
        uint32 maxInputBytes;
        uint32 maxCallbackGas;
        bool paused;
    }

    /// @dev A model's terms as pushed by the registry, and its undistributed contributor pool:
    ///      one slot, read by every request and written by every settlement.
    struct ModelTerms {
        uint80 feeWei;
        uint8 quorum;
        bool retired;
        uint160 pendingPool;
    }

    /// @dev (address, amount) pairs gathered in memory.
    struct AmountList {
        address[] keys;
        uint256[] amounts;
        uint256 count;
    }

    /// @dev What a batch owes, gathered in memory and credited once at the end.
    struct Credits {
        uint256 protocol;
        AmountList signers; // every signer, with the pay owed to its operator (0 for failures)
        AmountList refunds; // requesters: refunded fees and what is left of allowances
        uint256[] modelIds;
        uint256[] pools;
        uint256 modelCount;
        uint256 modelId;
        bytes32 modelHash;
        uint8 quorum;
        uint256 settled;
        bytes32[] leaves; // one per settled receipt (receipts only)
        uint256 batchId; // the first settled request
        uint256 firstSkipped;
        uint8 firstSkipReason;
        uint256 items; // receipts or failures sent in the transaction (GasCharges' n)
        uint256 submitterCredit; // the gas paid back to the sender
        uint256[] charges; // per settled or refunded item, in event order
    }

    WorkerRegistry public immutable workers;
    /// @notice The DisputeCourt, which credits the outcome of disputes here; set once.
    address public court;
    /// @notice The contract that records requesters' ratings and pays their rebates; set once.
    address public feedback;

    Config private _config;
    mapping(uint256 requestId => bytes32) private _commitments;
    mapping(uint256 modelId => ModelTerms) private _terms;
    mapping(uint256 modelId => bytes32) private _modelHash;

    event InferenceRequested(
        uint256 indexed requestId,
        uint256 indexed modelId,
        address indexed requester,
        bytes32 inputHash,
        uint256 fee,
        uint64 deadline,
        address callback,
        uint32 callbackGas,
        uint256 gasAllowance,
        uint256 maxFeePerGas,
        bytes input
    );
    /// @dev Only what cannot be derived: the output hash is keccak256(output); the split follows
    ///      from the request's fee, the split in force (SplitChanged) and the quorum.
    /// @dev The proofs are the receipt's, verbatim: with the output and the request they let anyone
    ///      recover the signers and check every attestation from the event alone.
    event InferenceSettled(uint256 indexed requestId, bytes proofs, bytes output);
    event InferenceFailed(
        uint256 indexed requestId,
        uint256 indexed modelId,
        uint16 reason,
        bytes32 detailHash,
        address[] signers,
        uint256 refund
    );
    event InferenceExpired(uint256 indexed requestId, uint256 indexed modelId, uint256 refund);
    /// @notice The gas paid back to `submitter` by this transaction: `charges[i]` from the
    ///         allowance of its i-th settled (InferenceSettled), refunded (InferenceFailed) or
    ///         expired request, in the order of those events; the rest of each allowance went to
    ///         its requester. A signed request's submission is one charge too.
    event GasReimbursed(address indexed submitter, uint256 credited, uint256[] charges);
    /// @dev A settlement batch's record was stored (`batchRecord`): `batchId` is its first
    ///      settled request; its leaves are the `count` receipts settled in this transaction, in
    ///      the order of their InferenceSettled events (SettlementRecords).
    event BatchSettled(uint256 indexed batchId, uint256 count);
    event ReceiptSkipped(uint256 indexed requestId, uint8 reason);
    event CallbackFailed(uint256 indexed requestId, address indexed callback);
    event EquivocationReported(
        address indexed signer,
        uint256 indexed requestId,
        bytes32 outputHashA,
        bytes32 outputHashB,
        address reporter,
        uint256 slashed
    );
    event CourtSet(address indexed court);
    event CourtCredited(uint256 accounts, uint256 total, uint256 protocol);
    event FeedbackSet(address indexed feedback);
    /// @notice `payer` (the court: a transaction's gas; the feedback contract: a rating's rebate)
    ///         paid `account` from the protocol's share: `fromAccrued` from its accrued fees,
    ///         `fromTreasury` from `treasury`'s unclaimed balance; together less than asked only
    ///         when both ran short.
    event ProtocolPaid(
        address indexed payer, address indexed account, uint256 fromAccrued, address treasury, uint256 fromTreasury
    );
    event SplitChanged(uint16 protocolBps, uint16 workerBps);
    event LimitsChanged(uint32 maxInputBytes, uint32 maxCallbackGas);
    event Paused(address account);
    event Unpaused(address account);

    error EnforcedPause();
    error ExpectedPause();
    error EmptyInput();
    error InputTooLarge(uint256 length, uint256 max);
    error DeadlineInPast(uint64 deadline, uint256 now_);
    error DeadlineTooFar(uint64 deadline, uint256 latest);
    error CallbackGasTooHigh(uint32 callbackGas, uint32 max);
    error ModelRetired(uint256 modelId);
    error FeeTooLow(uint256 paid, uint256 fee);
    error EmptyBatch();
    error UnknownRequest(uint256 requestId);
    error RequestMismatch(uint256 requestId);
    error RequestNotPending(uint256 requestId);
    error DeadlinePassed(uint256 requestId);
    error NotExpired(uint256 requestId, uint64 deadline);
    error WrongSignatureCount(uint256 requestId, uint256 signatureBytes, uint8 quorum);
    error InvalidSignature(uint256 requestId, uint256 index);
    error SignersNotAscending(uint256 requestId, uint256 index);
    error InsufficientGasForCallback(uint256 requestId, uint256 gasLeft, uint32 callbackGas);
    error ZeroFailureReason(uint256 requestId);
    error DifferentRequests(uint256 requestIdA, uint256 requestIdB);
    error NotEquivocation(uint256 requestId);
    error DifferentJobs(uint256 requestId);
    error DifferentSigners(address signerA, address signerB);
    error InvalidSplit(uint16 protocolBps, uint16 workerBps);
    error InvalidLimits(uint32 maxInputBytes, uint32 maxCallbackGas);
    error ZeroAddress();
    error UnknownModel(uint256 modelId);
    error NotRegistry(address caller);
    error NotWorkerRegistry(address caller);
    error SlashRewardTooLarge(uint256 reward, uint256 amount);
    error PoolOverflow(uint256 modelId, uint256 amount);
    error NotCourt(address caller);
    error CourtAlreadySet(address court);
    error FeedbackAlreadySet(address feedback);
    error NotProtocolPayer(address caller);
    error CreditMismatch(uint256 credited, uint256 value);
    error InputHashMismatch(bytes32 inputHash, bytes32 signed);
    error InvalidRequestSignature(address requester);
    error AllowanceTooSmall(uint256 charge, uint256 gasAllowance);

    constructor(
        address owner_,
        ModelRegistry registry_,
        WorkerRegistry workers_,
        address treasury_,
        uint16 protocolBps,
        uint16 workerBps,
        uint32 maxInputBytes,
        uint32 maxCallbackGas
    ) EIP712("Credence", "1") Ownable(owner_) RewardVault(registry_, treasury_) {
        if (address(registry_) == address(0) || address(workers_) == address(0)) {
            revert ZeroAddress();
        }
        workers = workers_;
        _config.nextRequestId = 1;
        _setSplit(protocolBps, workerBps);
        _setLimits(maxInputBytes, maxCallbackGas);
    }

    // ----------------------------------------------------------------- requests

    /// @notice Asks for an inference of `modelId` on `input`. Escrows `msg.value`: the fee (all of
    ///         `msg.value` but `gasAllowance`, at least the model's fee; the whole fee is what the
    ///         split divides) and the gas allowance (`quote` says how much covers a settlement).
    /// @param input the canonical tensor encoding (ABI `Tensor[]`), at most `maxInputBytes`.
    ///        Input the model cannot take is refunded through a worker-signed failure.
    /// @param deadline unix time after which the request can be expired and refunded
    /// @param callback contract to call back (ICredenceConsumer), or zero for none
    /// @param callbackGas gas given to the callback, at most `maxCallbackGas`
    /// @param gasAllowance pays back whoever settles, refunds or expires the request its gas
    ///        (GasCharges); the rest comes back to the requester's vault balance
    /// @param maxFeePerGas the most per gas the allowance pays back
    /// @return requestId sequential id, from 1
    function requestInference(
        uint256 modelId,
        bytes calldata input,
        uint64 deadline,
        address callback,
        uint32 callbackGas,
        uint256 gasAllowance,
        uint256 maxFeePerGas
    ) external payable returns (uint256 requestId) {
        if (gasAllowance > msg.value) revert FeeTooLow(msg.value, gasAllowance);
        uint256 fee = msg.value - gasAllowance;
        requestId = _open(modelId, input.length, deadline, callbackGas, fee);
        // the requester's first request opens its vault balance, which its refunds and unspent
        // allowances are credited to: it pays that one-time slot, not whoever settles
        _openAccount(msg.sender);
        _commit(
            requestId,
            Request(
                msg.sender, modelId, keccak256(input), fee, deadline, callback, callbackGas, gasAllowance, maxFeePerGas
            ),
            input
        );
    }

    /// @notice Submits a request its requester signed off-chain (EIP-712 InferenceRequest under
    ///         this hub's domain, by an EOA or an ERC-1271 wallet): `fee + gasAllowance` come out
    ///         of the requester's vault balance, and the caller is paid back the gas of this call
    ///         from the allowance (its measured execution plus GasCharges.SIGNED_REQUEST and
    ///         INPUT_BYTE per byte of input), so it costs the submitter nothing. The request is
    ///         then committed with what is left of the allowance. Refused, each with its own
    ///         error, unless the requester signed exactly these fields and this input, the nonce
    ///         is its next one for that key, the balance covers it, and the request would be
    ///         accepted from the requester directly.
    function requestInferenceFor(SignedRequest calldata request, bytes calldata input, bytes calldata signature)
        external
        nonReentrant
        returns (uint256 requestId)
    {
        uint256 gasStart = gasleft();
        bytes32 inputHash = keccak256(input);
        if (inputHash != request.inputHash) revert InputHashMismatch(inputHash, request.inputHash);
        requestId = _open(request.modelId, input.length, request.deadline, request.callbackGas, request.fee);
        if (!SignatureChecker.isValidSignatureNow(request.requester, requestDigest(request), signature)) {
            revert InvalidRequestSignature(request.requester);
        }
        _useCheckedNonce(request.requester, request.nonce);
        _debitAccount(request.requester, request.fee + request.gasAllowance);
        uint256 charge = (gasStart - gasleft() + GasCharges.SIGNED_REQUEST + GasCharges.INPUT_BYTE * input.length)
            * GasCharges.price(request.maxFeePerGas);
        if (charge > request.gasAllowance) revert AllowanceTooSmall(charge, request.gasAllowance);
        _commit(
            requestId,
            Request(
                request.requester,
                request.modelId,
                inputHash,
                request.fee,
                request.deadline,
                request.callback,
                request.callbackGas,
                request.gasAllowance - charge,
                request.maxFeePerGas
            ),
            input
        );
        _creditAccount(msg.sender, charge);
        uint256[] memory charges = new uint256[](1);
        charges[0] = charge;
        emit GasReimbursed(msg.sender, charge, charges);
    }

    /// @dev The checks every request passes, whoever sends it; takes its id.
    function _open(uint256 modelId, uint256 inputLength, uint64 deadline, uint32 callbackGas, uint256 fee)
        private
        returns (uint256 requestId)
    {
        Config memory c = _config;
        if (c.paused) revert EnforcedPause();
        if (inputLength == 0) revert EmptyInput();
        if (inputLength > c.maxInputBytes) revert InputTooLarge(inputLength, c.maxInputBytes);
        if (deadline <= block.timestamp) revert DeadlineInPast(deadline, block.timestamp);
        if (deadline > block.timestamp + MAX_DEADLINE_WINDOW) {
            revert DeadlineTooFar(deadline, block.timestamp + MAX_DEADLINE_WINDOW);
        }
        if (callbackGas > c.maxCallbackGas) revert CallbackGasTooHigh(callbackGas, c.maxCallbackGas);
        ModelTerms memory t = _terms[modelId];
        if (t.quorum == 0) revert UnknownModel(modelId);
        if (t.retired) revert ModelRetired(modelId);
        if (fee < t.feeWei) revert FeeTooLow(fee, t.feeWei);
        requestId = c.nextRequestId;
        _config.nextRequestId = c.nextRequestId + 1;
    }

    function _commit(uint256 requestId, Request memory r, bytes calldata input) private {
        _commitments[requestId] = SettlementRecords.commitment(keccak256(abi.encode(r)));
        emit InferenceRequested(
            requestId,
            r.modelId,
            r.requester,
            r.inputHash,
            r.fee,
            r.deadline,
            r.callback,
            r.callbackGas,
            r.gasAllowance,
            r.maxFeePerGas,
            input
        );
    }

    // --------------------------------------------------------------- settlement

    /// @notice Settles a batch of receipts. A receipt whose request was settled, refunded or
    ///         expired meanwhile, or whose deadline passed, is skipped with `ReceiptSkipped`; if
    ///         every receipt is skipped the call reverts with the first one's reason. Anything
    ///         forged (request fields, signatures, signers) reverts the batch.
    /// @return settled the number of receipts settled
    function submitReceipts(Receipt[] calldata receipts) external nonReentrant returns (uint256 settled) {
        if (receipts.length == 0) revert EmptyBatch();
        Split memory sp = _splitState;
        Credits memory cr = _newCredits(receipts.length);
        uint256[] memory callbacks = new uint256[](receipts.length);
        uint256 callbackCount;
        for (uint256 i; i < receipts.length; ++i) {
            if (_settle(receipts[i], sp, cr) && receipts[i].request.callback != address(0)) {
                callbacks[callbackCount++] = i << 128 | (cr.settled - 1);
            }
        }
        _finish(cr);
        _recordBatch(cr);
        // callbacks last: after every signer is checked and every credit written, so nothing a
        // callback does can undo or block the settlement (the guard keeps it from re-entering;
        // the gas it used comes out of its requester's allowance, credited just after)
        for (uint256 k; k < callbackCount; ++k) {
            Receipt calldata rc = receipts[callbacks[k] >> 128];
            uint256 gas = _callback(
                rc.requestId, rc.request, abi.encodeCall(ICredenceConsumer.onInferenceResult, (rc.requestId, rc.output))
            );
            _chargeCallback(cr, rc.request, uint128(callbacks[k]), gas);
        }
        _payGas(cr);
        return cr.settled;
    }

    /// @notice Refunds a batch of requests the workers could not serve. Skips and reverts as
    ///         `submitReceipts` does.
    function submitFailures(Failure[] calldata failures) external nonReentrant returns (uint256 refunded) {
        if (failures.length == 0) revert EmptyBatch();
        Credits memory cr = _newCredits(failures.length);
        uint256[] memory callbacks = new uint256[](failures.length);
        uint256 callbackCount;
        for (uint256 i; i < failures.length; ++i) {
            if (_fail(failures[i], cr) && failures[i].request.callback != address(0)) {
                callbacks[callbackCount++] = i << 128 | (cr.settled - 1);
            }
        }
        _finish(cr);
        for (uint256 k; k < callbackCount; ++k) {
            Failure calldata f = failures[callbacks[k] >> 128];
            uint256 gas = _callback(
                f.requestId, f.request, abi.encodeCall(ICredenceConsumer.onInferenceRefund, (f.requestId, f.reason))
            );
            _chargeCallback(cr, f.request, uint128(callbacks[k]), gas);
        }
        _payGas(cr);
        return cr.settled;
    }

    /// @notice Refunds a request whose deadline has passed. Anyone may call it, and is paid back
    ///         its gas from the request's allowance (GasCharges.EXPIRY and the callback's gas).
    function expire(uint256 requestId, Request calldata request) external nonReentrant {
        bytes32 commitment = _commitments[requestId];
        if (commitment == 0 || SettlementRecords.isRecord(commitment)) {
            _requireKnown(requestId);
            revert RequestNotPending(requestId);
        }
        if (_hashRequest(request) != commitment) revert RequestMismatch(requestId);
        if (block.timestamp <= request.deadline) revert NotExpired(requestId, request.deadline);
        delete _commitments[requestId];
        emit InferenceExpired(requestId, request.modelId, request.fee);
        uint256 gas = GasCharges.EXPIRY
            + _callback(requestId, request, abi.encodeCall(ICredenceConsumer.onInferenceRefund, (requestId, uint16(0))));
        uint256 charge = GasCharges.capped(gas * GasCharges.price(request.maxFeePerGas), request.gasAllowance);
        _creditAccount(request.requester, request.fee + request.gasAllowance - charge);
        if (charge != 0) _creditAccount(msg.sender, charge);
        uint256[] memory charges = new uint256[](1);
        charges[0] = charge;
        emit GasReimbursed(msg.sender, charge, charges);
    }

    /// @notice Slashes a worker that signed two different outputs for one request. Anyone may
    ///         report; the reporter receives the WorkerRegistry's `slashRewardBps` of the stake.
    function reportEquivocation(SignedReceipt calldata a, SignedReceipt calldata b)
        external
        nonReentrant
        returns (address signer, uint256 slashed)
    {
        if (a.requestId != b.requestId) revert DifferentRequests(a.requestId, b.requestId);
        if (a.modelHash != b.modelHash || a.inputHash != b.inputHash) revert DifferentJobs(a.requestId);
        if (a.outputHash == b.outputHash) revert NotEquivocation(a.requestId);
        signer = ECDSA.recover(
            receiptDigest(a.requestId, a.modelHash, a.inputHash, a.outputHash, a.executedAt), a.signature
        );
        address other = ECDSA.recover(
            receiptDigest(b.requestId, b.modelHash, b.inputHash, b.outputHash, b.executedAt), b.signature
        );
        if (signer != other) revert DifferentSigners(signer, other);
        slashed = workers.slash(signer, msg.sender);
        emit EquivocationReported(signer, a.requestId, a.outputHash, b.outputHash, msg.sender, slashed);
    }

    /// @notice Takes the minimum stake from the WorkerRegistry (its only caller).
    function syncMinStake(uint256 minStake) external {
        if (msg.sender != address(workers)) revert NotWorkerRegistry(msg.sender);
        // the registry bounds it to 96 bits
        // forge-lint: disable-next-line(unsafe-typecast)
        _splitState.minStake = uint96(minStake);
    }

    /// @notice Takes a model's terms from the ModelRegistry (its only caller).
    function syncModelTerms(uint256 modelId, bytes32 sha256Hash, uint256 feeWei, uint8 quorum, bool retired) external {
        if (msg.sender != address(registry)) revert NotRegistry(msg.sender);
        ModelTerms storage t = _terms[modelId];
        // the registry bounds the fee to 80 bits
        // forge-lint: disable-next-line(unsafe-typecast)
        t.feeWei = uint80(feeWei);
        t.quorum = quorum;
        t.retired = retired;
        _modelHash[modelId] = sha256Hash;
    }

    function _poolOf(uint256 modelId) internal view override returns (uint256) {
        return _terms[modelId].pendingPool;
    }

    function _setPool(uint256 modelId, uint256 amount) internal override {
        if (amount > type(uint160).max) revert PoolOverflow(modelId, amount);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        _terms[modelId].pendingPool = uint160(amount);
    }

    /// @notice Receives a slashed stake from the WorkerRegistry: `reward` to the reporter, the
    ///         rest to the protocol treasury.
    function depositSlashed(address reporter, uint256 reward) external payable {
        if (msg.sender != address(workers)) revert NotWorkerRegistry(msg.sender);
        if (reward > msg.value) revert SlashRewardTooLarge(reward, msg.value);
        if (reward != 0) _creditAccount(reporter, reward);
        _creditProtocol(msg.value - reward);
    }

    // -------------------------------------------------------------------- views

    /// @notice A model's terms as the hub knows them (quorum 0: unknown).
    function modelTerms(uint256 modelId)
        external
        view
        returns (bytes32 sha256Hash, uint256 feeWei, uint8 quorum, bool retired)
    {
        ModelTerms memory t = _terms[modelId];
        return (_modelHash[modelId], t.feeWei, t.quorum, t.retired);
    }

    /// @notice The EIP-712 digest workers sign for a receipt.
    function receiptDigest(
        uint256 requestId,
        bytes32 modelHash,
        bytes32 inputHash,
        bytes32 outputHash,
        uint64 executedAt
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(RECEIPT_TYPEHASH, requestId, modelHash, inputHash, outputHash, executedAt))
        );
    }

    /// @notice The EIP-712 digest workers sign for a failure.
    function failureDigest(uint256 requestId, bytes32 modelHash, bytes32 inputHash, uint16 reason, bytes32 detailHash)
        public
        view
        returns (bytes32)
    {
        return
            _hashTypedDataV4(
                keccak256(abi.encode(FAILURE_TYPEHASH, requestId, modelHash, inputHash, reason, detailHash))
            );
    }

    /// @notice The EIP-712 digest a requester signs for a signed request.
    function requestDigest(SignedRequest calldata request) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(REQUEST_TYPEHASH, request)));
    }

    /// @notice The fee and the gas allowance that serve a request of `modelId` alone, with a
    ///         callback of `callbackGas`, paying back gas at up to `maxFeePerGas`: send
    ///         `fee + gasAllowance`. A batch of many costs each far less; what the allowance does
    ///         not spend comes back to the requester. The allowance assumes an output of up to
    ///         512 bytes.
    function quote(uint256 modelId, uint32 callbackGas, uint256 maxFeePerGas)
        external
        view
        returns (uint256 fee, uint256 gasAllowance)
    {
        return quoteSigned(modelId, 0, callbackGas, maxFeePerGas);
    }

    /// @notice `quote` for a signed request of `inputBytes` (an EOA's signature), whose allowance
    ///         also pays back its submission; 0 input bytes quotes a direct request.
    function quoteSigned(uint256 modelId, uint256 inputBytes, uint32 callbackGas, uint256 maxFeePerGas)
        public
        view
        returns (uint256 fee, uint256 gasAllowance)
    {
        ModelTerms memory t = _terms[modelId];
        if (t.quorum == 0) revert UnknownModel(modelId);
        return (t.feeWei, GasCharges.allowance(t.quorum, callbackGas, maxFeePerGas, inputBytes));
    }

    /// @notice The EIP-712 domain separator ("Credence", "1", this chain, this hub).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice The commitment a request is stored as: keccak256(abi.encode(request)), top bit clear.
    function hashRequest(Request calldata request) external pure returns (bytes32) {
        return _hashRequest(request);
    }

    /// @notice The stored commitment of a request: zero once settled, refunded or expired.
    function commitmentOf(uint256 requestId) external view returns (bytes32) {
        bytes32 slot = _commitments[requestId];
        return SettlementRecords.isRecord(slot) ? bytes32(0) : slot;
    }

    /// @notice True while a request awaits settlement, failure or expiry.
    function isPending(uint256 requestId) external view returns (bool) {
        bytes32 slot = _commitments[requestId];
        return slot != 0 && !SettlementRecords.isRecord(slot);
    }

    /// @notice The record of the settlement batch whose first settled request is `batchId`
    ///         (SettlementRecords.record), or zero when no batch has that id.
    function batchRecord(uint256 batchId) external view returns (bytes32) {
        bytes32 slot = _commitments[batchId];
        return SettlementRecords.isRecord(slot) ? slot : bytes32(0);
    }

    /// @notice The id the next request will get.
    function nextRequestId() external view returns (uint256) {
        return _config.nextRequestId;
    }

    /// @notice Current split and limits.
    function config()
        external
        view
        returns (uint16 protocolBps, uint16 workerBps, uint32 maxInputBytes, uint32 maxCallbackGas, bool paused)
    {
        Config memory c = _config;
        Split memory sp = _splitState;
        return (sp.protocolBps, sp.workerBps, c.maxInputBytes, c.maxCallbackGas, c.paused);
    }

    // -------------------------------------------------------------------- admin

    /// @notice Sets the protocol's and the workers' shares of future settlements (basis points);
    ///         contributors receive the rest.
    function setSplit(uint16 protocolBps, uint16 workerBps) external onlyOwner {
        _setSplit(protocolBps, workerBps);
    }

    function setLimits(uint32 maxInputBytes, uint32 maxCallbackGas) external onlyOwner {
        _setLimits(maxInputBytes, maxCallbackGas);
    }

    /// @notice Moves the protocol treasury; fees accrued so far are credited to the old one.
    function setTreasury(address treasury_) external onlyOwner {
        _setTreasury(treasury_);
    }

    /// @notice Names the DisputeCourt allowed to credit dispute outcomes; can be set once.
    function setCourt(address court_) external onlyOwner {
        if (court_ == address(0)) revert ZeroAddress();
        if (court != address(0)) revert CourtAlreadySet(court);
        court = court_;
        emit CourtSet(court_);
    }

    /// @notice Names the feedback contract allowed to pay rating rebates from the protocol's
    ///         share; can be set once.
    function setFeedback(address feedback_) external onlyOwner {
        if (feedback_ == address(0)) revert ZeroAddress();
        if (feedback != address(0)) revert FeedbackAlreadySet(feedback);
        feedback = feedback_;
        emit FeedbackSet(feedback_);
    }

    /// @notice Credits the outcome of a resolved dispute (only the court): `amounts[i]` to
    ///         `accounts[i]`, `protocolAmount` to the protocol; `msg.value` must be their sum. The
    ///         money comes from slashed stake and challenge bonds the court held.
    function creditFromCourt(address[] calldata accounts, uint256[] calldata amounts, uint256 protocolAmount)
        external
        payable
        nonReentrant
    {
        if (msg.sender != court) revert NotCourt(msg.sender);
        uint256 total = protocolAmount;
        for (uint256 i; i < accounts.length; ++i) {
            total += amounts[i];
            if (amounts[i] != 0) _creditAccount(accounts[i], amounts[i]);
        }
        if (total != msg.value) revert CreditMismatch(total, msg.value);
        _creditProtocol(protocolAmount);
        emit CourtCredited(accounts.length, total, protocolAmount);
    }

    /// @notice Pays `account` `amount` from the protocol's share (accrued, then the treasury's
    ///         unclaimed balance), as far as it goes; only the court (its transactions' gas:
    ///         audits and juries are the protocol's work) and the feedback contract (rating
    ///         rebates: users are contributors too).
    /// @return paid what was paid
    function payFromProtocol(address account, uint256 amount) external nonReentrant returns (uint256 paid) {
        if (msg.sender != court && msg.sender != feedback) revert NotProtocolPayer(msg.sender);
        (uint256 fromAccrued, address treasury_, uint256 fromTreasury) = _payFromProtocol(account, amount);
        emit ProtocolPaid(msg.sender, account, fromAccrued, treasury_, fromTreasury);
        return fromAccrued + fromTreasury;
    }

    /// @notice Stops new requests. Settlement, failures, expiry and claims keep working.
    function pause() external onlyOwner {
        if (_config.paused) revert EnforcedPause();
        _config.paused = true;
        emit Paused(msg.sender);
    }

    function unpause() external onlyOwner {
        if (!_config.paused) revert ExpectedPause();
        _config.paused = false;
        emit Unpaused(msg.sender);
    }

    // ----------------------------------------------------------------- internal

    function _settle(Receipt calldata rc, Split memory sp, Credits memory cr) private returns (bool) {
        uint256 id = rc.requestId;
        bytes32 commitment = _settleable(id, rc.request, cr);
        if (commitment == 0) return false;
        _loadModel(rc.request.modelId, cr);
        (address[] memory signers, bytes32 outputHash) = _receiptSigners(rc, cr);
        delete _commitments[id];
        if (cr.settled == 0) cr.batchId = id;
        cr.leaves[cr.settled] = SettlementRecords.leaf(id, commitment, outputHash, signers);
        _charge(cr, rc.request, GasCharges.receipt(cr.items, cr.quorum, rc.output.length));
        _creditSplit(rc, sp, cr, signers);
        return true;
    }

    /// @dev Charges a settled or refunded item `gas` (fixed figures) from its allowance, the
    ///      credit of what is left included when it is its requester's first item here; the
    ///      rest of the allowance goes to the requester's entry (with a failure's fee).
    function _charge(Credits memory cr, Request calldata req, uint256 gas) private view {
        (uint256 j, bool fresh) = _entry(cr.refunds, req.requester);
        if (fresh) gas += GasCharges.REQUESTER_CREDIT;
        uint256 allowance = req.gasAllowance;
        uint256 charge = GasCharges.capped(gas * GasCharges.price(req.maxFeePerGas), allowance);
        cr.charges[cr.settled] = charge;
        cr.submitterCredit += charge;
        cr.refunds.amounts[j] += allowance - charge;
    }

    /// @dev Charges an item's callback `gas` from what its allowance had left.
    function _chargeCallback(Credits memory cr, Request calldata req, uint256 item, uint256 gas) private view {
        uint256 left = req.gasAllowance - cr.charges[item];
        uint256 charge = GasCharges.capped(gas * GasCharges.price(req.maxFeePerGas), left);
        if (charge == 0) return;
        (uint256 j,) = _entry(cr.refunds, req.requester);
        cr.refunds.amounts[j] -= charge;
        cr.charges[item] += charge;
        cr.submitterCredit += charge;
    }

    /// @dev Credits the requesters' refunds and unspent allowances and the sender's gas.
    function _payGas(Credits memory cr) private {
        for (uint256 j; j < cr.refunds.count; ++j) {
            if (cr.refunds.amounts[j] != 0) _creditAccount(cr.refunds.keys[j], cr.refunds.amounts[j]);
        }
        if (cr.submitterCredit != 0) _creditAccount(msg.sender, cr.submitterCredit);
        uint256[] memory charges = cr.charges;
        uint256 count = cr.settled;
        assembly ("memory-safe") {
            mstore(charges, count)
        }
        emit GasReimbursed(msg.sender, cr.submitterCredit, charges);
    }

    /// @dev Stores the batch's record in its first request's slot (cleared by `_settle`).
    function _recordBatch(Credits memory cr) private {
        bytes32[] memory leaves = cr.leaves;
        uint256 count = cr.settled;
        assembly ("memory-safe") {
            mstore(leaves, count)
        }
        bytes32 leavesHash = SettlementRecords.leavesHash(leaves);
        _commitments[cr.batchId] = SettlementRecords.record(leavesHash, uint64(block.number), uint64(block.timestamp));
        emit BatchSettled(cr.batchId, count);
    }

    /// @dev The quorum's signers of a receipt: one proof per signer, each over that signer's
    ///      executedAt, distinct signers in ascending order.
    function _receiptSigners(Receipt calldata rc, Credits memory cr)
        private
        view
        returns (address[] memory signers, bytes32 outputHash)
    {
        uint8 quorum = cr.quorum;
        bytes calldata proofs = rc.proofs;
        if (proofs.length != uint256(quorum) * PROOF_BYTES) {
            revert WrongSignatureCount(rc.requestId, proofs.length, quorum);
        }
        outputHash = keccak256(rc.output);
        signers = new address[](quorum);
        address previous;
        for (uint256 k; k < quorum; ++k) {
            uint64 executedAt;
            assembly ("memory-safe") {
                executedAt := shr(192, calldataload(add(proofs.offset, add(mul(k, 73), 65))))
            }
            bytes32 digest = receiptDigest(rc.requestId, cr.modelHash, rc.request.inputHash, outputHash, executedAt);
            previous = _signerAt(rc.requestId, k, PROOF_BYTES, digest, proofs, previous);
            signers[k] = previous;
        }
    }

    /// @dev The split: protocol floor(fee * protocolBps / 10 000); each of the quorum's workers
    ///      floor(fee * workerBps / 10 000 / quorum); the model's contributors the rest, rounding
    ///      remainders included.
    function _creditSplit(Receipt calldata rc, Split memory sp, Credits memory cr, address[] memory signers) private {
        uint256 fee = rc.request.fee;
        uint256 protocolPart = fee * sp.protocolBps / BPS;
        uint256 workerEach = fee * sp.workerBps / BPS / cr.quorum;
        uint256 pool = fee - protocolPart - workerEach * cr.quorum;
        cr.protocol += protocolPart;
        for (uint256 k; k < signers.length; ++k) {
            _add(cr.signers, signers[k], workerEach);
        }
        _addPool(cr, rc.request.modelId, pool);
        cr.settled++;
        emit InferenceSettled(rc.requestId, rc.proofs, rc.output);
    }

    function _fail(Failure calldata f, Credits memory cr) private returns (bool) {
        uint256 id = f.requestId;
        Request calldata req = f.request;
        if (f.reason == 0) revert ZeroFailureReason(id);
        if (_settleable(id, req, cr) == 0) return false;
        _loadModel(req.modelId, cr);
        bytes32 digest = failureDigest(id, cr.modelHash, req.inputHash, f.reason, f.detailHash);
        address[] memory signers = _verifyQuorum(id, digest, f.signatures, cr.quorum);
        delete _commitments[id];
        for (uint256 k; k < signers.length; ++k) {
            _add(cr.signers, signers[k], 0);
        }
        _charge(cr, req, GasCharges.failure(cr.items, cr.quorum));
        _add(cr.refunds, req.requester, req.fee);
        cr.settled++;
        emit InferenceFailed(id, req.modelId, f.reason, f.detailHash, signers, req.fee);
        return true;
    }

    /// @dev Checks the request is known and its fields are the committed ones; returns its
    ///      commitment, or zero (after emitting why) when it is no longer pending (settled,
    ///      refunded, expired: its slot is empty or holds a batch record) or its deadline passed.
    function _settleable(uint256 id, Request calldata req, Credits memory cr) private returns (bytes32 commitment) {
        commitment = _commitments[id];
        uint8 skip;
        if (commitment == 0 || SettlementRecords.isRecord(commitment)) {
            _requireKnown(id);
            skip = SKIP_NOT_PENDING;
        } else if (_hashRequest(req) != commitment) {
            revert RequestMismatch(id);
        } else if (block.timestamp > req.deadline) {
            skip = SKIP_DEADLINE_PASSED;
        }
        if (skip == 0) return commitment;
        emit ReceiptSkipped(id, skip);
        if (cr.firstSkipReason == 0) {
            cr.firstSkipped = id;
            cr.firstSkipReason = skip;
        }
        return 0;
    }

    /// @dev The request's commitment (SettlementRecords.commitment of keccak256(abi.encode(request)))
    ///      straight from calldata: the struct is nine static words.
    function _hashRequest(Request calldata request) private pure returns (bytes32 h) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            calldatacopy(p, request, 288)
            h := keccak256(p, 288)
        }
        h = SettlementRecords.commitment(h);
    }

    function _requireKnown(uint256 id) private view {
        if (id == 0 || id >= _config.nextRequestId) revert UnknownRequest(id);
    }

    function _loadModel(uint256 modelId, Credits memory cr) private view {
        if (cr.modelId == modelId && cr.quorum != 0) return;
        cr.quorum = _terms[modelId].quorum;
        cr.modelHash = _modelHash[modelId];
        cr.modelId = modelId;
    }

    /// @dev Recovers `quorum` signatures over one `digest` (failures), distinct signers in
    ///      ascending order. That they are active workers is checked once per batch (`_finish`).
    function _verifyQuorum(uint256 id, bytes32 digest, bytes calldata sigs, uint8 quorum)
        private
        pure
        returns (address[] memory signers)
    {
        if (sigs.length != uint256(quorum) * SIGNATURE_BYTES) revert WrongSignatureCount(id, sigs.length, quorum);
        signers = new address[](quorum);
        address previous;
        for (uint256 k; k < quorum; ++k) {
            previous = _signerAt(id, k, SIGNATURE_BYTES, digest, sigs, previous);
            signers[k] = previous;
        }
    }

    /// @dev The signer of the signature at entry `k` (entries `stride` bytes apart) over
    ///      `digest`, which must come after `previous`.
    function _signerAt(uint256 id, uint256 k, uint256 stride, bytes32 digest, bytes calldata sigs, address previous)
        private
        pure
        returns (address signer)
    {
        bytes32 r;
        bytes32 s;
        uint8 v;
        assembly ("memory-safe") {
            let p := add(sigs.offset, mul(k, stride))
            r := calldataload(p)
            s := calldataload(add(p, 32))
            v := byte(0, calldataload(add(p, 64)))
        }
        ECDSA.RecoverError err;
        (signer, err,) = ECDSA.tryRecover(digest, v, r, s);
        if (err != ECDSA.RecoverError.NoError) revert InvalidSignature(id, k);
        if (signer <= previous) revert SignersNotAscending(id, k);
    }

    /// @dev Calls the requester's callback with exactly its gas, ignoring the result and not
    ///      copying return data; returns the gas to charge for it (measured, plus
    ///      GasCharges.CALLBACK; 0 without a callback). Reverts when the transaction did not
    ///      bring enough gas for the callback to get all of it (EIP-150 passes on at most 63/64 of
    ///      what is left), so a submitter cannot starve a callback.
    function _callback(uint256 id, Request calldata req, bytes memory data) private returns (uint256 gas) {
        address target = req.callback;
        uint256 gasLimit = req.callbackGas;
        if (target == address(0) || gasLimit == 0) return 0;
        if (gasleft() < gasLimit * 64 / 63 + CALLBACK_OVERHEAD) {
            revert InsufficientGasForCallback(id, gasleft(), req.callbackGas);
        }
        bool ok;
        uint256 before = gasleft();
        assembly ("memory-safe") {
            ok := call(gasLimit, target, 0, add(data, 0x20), mload(data), 0, 0)
        }
        gas = before - gasleft() + GasCharges.CALLBACK;
        if (!ok) emit CallbackFailed(id, target);
    }

    function _newCredits(uint256 n) private pure returns (Credits memory cr) {
        cr.signers = AmountList(new address[](n + 4), new uint256[](n + 4), 0);
        cr.refunds = AmountList(new address[](n), new uint256[](n), 0);
        cr.leaves = new bytes32[](n);
        cr.modelIds = new uint256[](n);
        cr.pools = new uint256[](n);
        cr.charges = new uint256[](n);
        cr.items = n;
    }

    /// @dev Adds `amount` to `key` in `list`.
    function _add(AmountList memory list, address key, uint256 amount) private pure {
        (uint256 j,) = _entry(list, key);
        list.amounts[j] += amount;
    }

    /// @dev The index of `key` in `list`, appended with 0 (growing the list) when new (`fresh`).
    function _entry(AmountList memory list, address key) private pure returns (uint256 j, bool fresh) {
        for (; j < list.count; ++j) {
            if (list.keys[j] == key) return (j, false);
        }
        if (list.count == list.keys.length) {
            address[] memory keys = new address[](list.count * 2);
            uint256[] memory amounts = new uint256[](list.count * 2);
            for (uint256 k; k < list.count; ++k) {
                keys[k] = list.keys[k];
                amounts[k] = list.amounts[k];
            }
            list.keys = keys;
            list.amounts = amounts;
        }
        list.keys[j] = key;
        list.count++;
        return (j, true);
    }

    function _addPool(Credits memory cr, uint256 modelId, uint256 amount) private pure {
        if (amount == 0) return;
        for (uint256 j; j < cr.modelCount; ++j) {
            if (cr.modelIds[j] == modelId) {
                cr.pools[j] += amount;
                return;
            }
        }
        cr.modelIds[cr.modelCount] = modelId;
        cr.pools[cr.modelCount] = amount;
        cr.modelCount++;
    }

    /// @dev Reverts when nothing in the batch was settled. Otherwise checks every signer of the
    ///      batch is an active worker (one call) and credits what the batch owes.
    function _finish(Credits memory cr) private {
        if (cr.settled == 0) {
            if (cr.firstSkipReason == SKIP_NOT_PENDING) revert RequestNotPending(cr.firstSkipped);
            revert DeadlinePassed(cr.firstSkipped);
        }
        address[] memory signers = cr.signers.keys;
        uint256 signerCount = cr.signers.count;
        assembly ("memory-safe") {
            mstore(signers, signerCount)
        }
        address[] memory operators = workers.activeOperators(signers, _splitState.minStake);
        for (uint256 j; j < signerCount; ++j) {
            if (cr.signers.amounts[j] != 0) _creditAccount(operators[j], cr.signers.amounts[j]);
        }
        for (uint256 j; j < cr.modelCount; ++j) {
            _creditPool(cr.modelIds[j], cr.pools[j]);
        }
        _creditProtocol(cr.protocol);
    }

    function _setSplit(uint16 protocolBps, uint16 workerBps) private {
        if (protocolBps > MAX_PROTOCOL_BPS || uint256(protocolBps) + workerBps > BPS) {
            revert InvalidSplit(protocolBps, workerBps);
        }
        _splitState.protocolBps = protocolBps;
        _splitState.workerBps = workerBps;
        emit SplitChanged(protocolBps, workerBps);
    }

    function _setLimits(uint32 maxInputBytes, uint32 maxCallbackGas) private {
        if (maxInputBytes == 0 || maxCallbackGas > 10_000_000) revert InvalidLimits(maxInputBytes, maxCallbackGas);
        _config.maxInputBytes = maxInputBytes;
        _config.maxCallbackGas = maxCallbackGas;
        emit LimitsChanged(maxInputBytes, maxCallbackGas);
    }
}
