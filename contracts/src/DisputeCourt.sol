// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {InferenceHub} from "./InferenceHub.sol";
import {ModelRegistry} from "./ModelRegistry.sol";
import {WorkerRegistry, ISlashedStakeSink, IDisputeSpan} from "./WorkerRegistry.sol";
import {SettlementRecords} from "./SettlementRecords.sol";
import {GasCharges} from "./GasCharges.sol";

/// @title DisputeCourt
/// @notice Catches wrong answers. Any settled answer can be challenged, with a bond, for its
///         model's challenge window; a random share of every settlement batch is audited, drawn
///         from the hash of the block after the batch's. Either way a jury of other staked workers,
///         drawn at random, re-runs the job and signs a Verdict (EIP-712, the hub's domain): does
///         the settled output agree with its own, within the model's tolerance? When a majority
///         of the whole jury disagrees the fault is proven: every signer of the answer loses its
///         whole stake, which refunds the requester, rewards whoever caught it and pays the
///         jurors who said so, the rest going to the protocol. When a majority agrees, a
///         challenger's bond pays the jurors and the answer's workers. Without a majority nothing
///         is slashed and the bond returns to the challenger less the pay of the jurors who voted.
/// @dev    A settlement batch is proven from the record the hub keeps in its first request's slot
///         (SettlementRecords). Money never rests here longer than a dispute: bonds of open
///         disputes are all this contract holds; every outcome is credited in the hub's vault,
///         where everyone claims. While a dispute is open the signers' stake is held in the
///         WorkerRegistry (no withdrawal), and the unbonding delay must exceed the longest
///         challenge window plus the verdict window.
///
///         A key may have several answers in dispute at once. Its stake is seized at its first
///         proven fault and kept here, per key, as far as it is needed to refund the fees of the
///         key's other open disputes; only the rest is paid out then. Each later fault refunds its
///         requester from what was kept, and what is left when the key's last dispute closes goes
///         to the protocol.
contract DisputeCourt is Ownable2Step, ReentrancyGuardTransient, ISlashedStakeSink, IDisputeSpan {
    uint256 private constant BPS = 10_000;

    /// @notice The seed of a draw is the hash of the block this many blocks after the one that
    ///         fixed it (a batch's settlement, a challenge's opening): unknown when it is fixed.
    uint64 public constant SEED_DELAY = 1;
    /// @notice Largest jury.
    uint8 public constant MAX_JURY = 15;
    /// @notice Shortest challenge window a model may set.
    uint64 public constant MIN_CHALLENGE_WINDOW = 10 minutes;

    uint8 public constant KIND_AUDIT = 1;
    uint8 public constant KIND_CHALLENGE = 2;

    uint8 public constant STATE_AWAITING_JURY = 1;
    uint8 public constant STATE_VOTING = 2;
    uint8 public constant STATE_FAULT_PROVEN = 3;
    uint8 public constant STATE_UPHELD = 4;
    uint8 public constant STATE_NO_MAJORITY = 5;

    /// @notice Output tolerances: the bytes must be equal; the arg-max of each float tensor's last
    ///         axis must be equal (other tensors exactly); or each float element must be within
    ///         `toleranceAbsE9` * 1e-9 or `toleranceUlps` units in the last place (others exactly).
    uint8 public constant TOLERANCE_EXACT = 1;
    uint8 public constant TOLERANCE_ARGMAX = 2;
    uint8 public constant TOLERANCE_CLOSE = 3;

    /// @notice Why a drawn audit did not open.
    uint8 public constant AUDIT_SKIP_DISPUTED = 1; // a dispute over the request is open
    uint8 public constant AUDIT_SKIP_OVERTURNED = 2; // its answer was already proven wrong
    /// @notice Why a verdict in a batch was skipped.
    uint8 public constant VERDICT_SKIP_RECORDED = 1;
    uint8 public constant VERDICT_SKIP_CLOSED = 2;

    bytes32 public constant VERDICT_TYPEHASH = keccak256(
        "Verdict(uint256 disputeId,uint256 requestId,bytes32 outputHash,bytes32 jurorOutputHash,bool agrees)"
    );
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    /// @notice A model's accountability terms (one slot). A model without terms of its own has
    ///         the court's defaults.
    struct Terms {
        uint64 challengeWindow; // seconds after settlement
        uint16 auditRateBps; // chance each settled answer is audited
        uint8 jurySize; // audits; challenges take at least `challengeJurySize`
        uint8 toleranceMode;
        uint32 toleranceUlps;
        uint64 toleranceAbsE9;
    }

    /// @notice The court's economics and timing.
    struct Params {
        uint64 verdictWindow; // seconds jurors have once drawn
        uint96 minBond; // a challenge's bond is at least this ...
        uint16 bondFeeMultiple; // ... and at least this many times the request's fee
        uint16 challengerRewardBps; // of a slash, after the requester's refund
        uint16 jurorRewardBps; // of a slash after the refund, or of a bond, to the jurors
        uint8 challengeJurySize;
    }

    /// @notice A settled answer, as its batch's leaf commits to it.
    struct Leaf {
        uint256 requestId;
        InferenceHub.Request request;
        bytes32 outputHash;
        address[] signers; // ascending, as in the receipt
    }

    /// @notice A settlement batch: its id (first request), the block and time it settled in, and
    ///         every leaf hash in order.
    struct Batch {
        uint256 batchId;
        uint64 settledBlock;
        uint64 settledAt;
        bytes32[] leaves;
    }

    /// @notice A juror's signed verdict.
    struct Verdict {
        uint256 disputeId;
        bytes32 jurorOutputHash;
        bool agrees;
        bytes signature;
    }

    struct Dispute {
        uint64 requestId;
        uint64 modelId;
        uint64 batchId;
        uint8 kind;
        uint8 state;
        uint16 voted; // bit i: juror i voted
        uint16 disagreed; // bit i: juror i voted agrees = false
        address requester;
        uint96 fee;
        address challenger; // for an audit: who drew it
        uint96 bond;
        bytes32 outputHash;
        bytes32 faultOutputHash; // the first disagreeing juror's output
        uint64 seedBlock;
        uint64 verdictDeadline;
        uint8 jurySize;
        uint8 toleranceMode; // the model's tolerance when the dispute opened
        uint32 toleranceUlps;
        uint64 toleranceAbsE9;
        address[] signers;
        address[] jurors;
    }

    InferenceHub public immutable hub;
    WorkerRegistry public immutable workers;
    ModelRegistry public immutable registry;

    Params private _params;
    Terms private _defaultTerms;
    /// @dev Never decreases: the longest challenge window any model may have had.
    uint64 private _longestWindow;
    uint256 private _disputeCount;
    mapping(uint256 modelId => Terms) private _terms;
    mapping(uint256 disputeId => Dispute) private _disputes;
    mapping(uint256 requestId => uint256 disputeId) private _openDispute;
    mapping(uint256 requestId => uint256 disputeId) private _fault;
    mapping(uint256 batchId => bool) private _auditsDrawn;
    mapping(address signer => Forfeit) private _forfeits;

    /// @dev A key's seized stake still kept (`pot`) and the fees of its open disputes (`exposure`).
    struct Forfeit {
        uint128 pot;
        uint128 exposure;
    }

    event DisputeOpened(
        uint256 indexed disputeId,
        uint256 indexed requestId,
        uint8 kind,
        uint256 indexed batchId,
        address challenger,
        uint256 bond,
        bytes32 outputHash,
        address[] signers
    );
    event AuditsDrawn(uint256 indexed batchId, uint64 seedBlock, uint256 leaves, uint256 audited);
    event AuditSkipped(uint256 indexed batchId, uint256 indexed requestId, uint8 reason);
    event JuryDrawn(uint256 indexed disputeId, address[] jurors, uint64 verdictDeadline);
    event JuryDrawDeferred(uint256 indexed disputeId, uint64 seedBlock);
    event VerdictRecorded(
        uint256 indexed disputeId, address indexed juror, bool agrees, bytes32 jurorOutputHash, uint8 votes
    );
    event VerdictSkipped(uint256 indexed disputeId, address indexed juror, uint8 reason);
    event FaultProven(
        uint256 indexed disputeId,
        uint256 indexed requestId,
        bytes32 outputHash,
        bytes32 juryOutputHash,
        uint256 slashed,
        uint256 refund,
        uint256 reward
    );
    event ChallengeRejected(uint256 indexed disputeId, uint256 indexed requestId, address challenger, uint256 bond);
    event DisputeResolved(
        uint256 indexed disputeId, uint256 indexed requestId, uint8 state, uint8 agreed, uint8 disagreed, uint8 jurySize
    );
    event JurorPaid(uint256 indexed disputeId, address indexed juror, address indexed operator, uint256 amount);
    /// @dev `modelId` 0: the defaults, for every model without terms of its own.
    event ModelTermsSet(uint256 indexed modelId, Terms terms);
    /// @notice The caller of a court transaction was paid back its `gas` at `price`: `paid`
    ///         (less than `gas * price` only when the protocol's share ran short; the hub's
    ///         ProtocolPaid says from where).
    event GasPaidBack(address indexed caller, uint256 gas, uint256 price, uint256 paid);
    event ParamsSet(Params params);

    error ZeroAddress();
    error NotWorkerRegistry(address caller);
    error NotModelOwner(uint256 modelId, address caller);
    error InvalidTerms();
    error InvalidParams();
    error SpanTooLong(uint64 span, uint64 unbondingDelay);
    error UnknownBatch(uint256 batchId);
    error BatchMismatch(uint256 batchId);
    error LeafMismatch(uint256 batchId, uint256 index);
    error EmptyBatch(uint256 batchId);
    error AuditsAlreadyDrawn(uint256 batchId);
    error SeedNotReady(uint64 seedBlock, uint256 blockNumber);
    error SeedExpired(uint256 batchId, uint64 seedBlock);
    error ChallengeWindowClosed(uint256 requestId, uint256 closedAt);
    error BondTooLow(uint256 bond, uint256 required);
    error DisputeAlreadyOpen(uint256 requestId, uint256 disputeId);
    error AlreadyOverturned(uint256 requestId, uint256 disputeId);
    error UnknownDispute(uint256 disputeId);
    error NotAwaitingJury(uint256 disputeId, uint8 state);
    error NotVoting(uint256 disputeId, uint8 state);
    error VotingOpen(uint256 disputeId, uint64 verdictDeadline);
    error EmptyVerdicts();
    error InvalidVerdictSignature(uint256 disputeId, uint256 index);
    error NotJuror(uint256 disputeId, address signer);
    error InconsistentVerdict(uint256 disputeId, address juror);
    error VerdictAlreadyRecorded(uint256 disputeId, address juror);
    error VotingClosed(uint256 disputeId);
    error AmountTooLarge(uint256 amount);

    constructor(
        address owner_,
        InferenceHub hub_,
        WorkerRegistry workers_,
        ModelRegistry registry_,
        Params memory params_,
        Terms memory defaults_
    ) Ownable(owner_) {
        if (address(hub_) == address(0) || address(workers_) == address(0) || address(registry_) == address(0)) {
            revert ZeroAddress();
        }
        hub = hub_;
        workers = workers_;
        registry = registry_;
        _checkParams(params_);
        _params = params_;
        emit ParamsSet(params_);
        _setDefaultTerms(defaults_);
    }

    // ------------------------------------------------------------------ audits

    /// @notice Draws the audits of a settlement batch from the hash of the block after the
    ///         batch's (usable for 256 blocks): each leaf is audited with its model's
    ///         `auditRateBps`, by a jury drawn from the same seed. Anyone may call it, once per
    ///         batch; the caller is rewarded like a challenger when an audit proves a fault, and
    ///         paid its gas back (GasCharges) when the draw opens an audit.
    /// @param leaves every leaf of the batch, in settlement order
    /// @return audited the number of audits opened
    function drawAudits(uint256 batchId, uint64 settledBlock, uint64 settledAt, Leaf[] calldata leaves)
        external
        nonReentrant
        returns (uint256 audited)
    {
        uint256 start = gasleft();
        if (leaves.length == 0) revert EmptyBatch(batchId);
        bytes32[] memory hashes = new bytes32[](leaves.length);
        for (uint256 i; i < leaves.length; ++i) {
            hashes[i] = _leafHash(leaves[i]);
        }
        _checkBatch(Batch(batchId, settledBlock, settledAt, hashes));
        if (_auditsDrawn[batchId]) revert AuditsAlreadyDrawn(batchId);
        uint64 seedBlock = settledBlock + SEED_DELAY;
        bytes32 seed = _seed(seedBlock);
        if (seed == 0) revert SeedExpired(batchId, seedBlock);
        _auditsDrawn[batchId] = true;
        uint256 signers;
        for (uint256 i; i < leaves.length; ++i) {
            Leaf calldata leaf = leaves[i];
            signers += leaf.signers.length;
            uint256 rate = termsOf(leaf.request.modelId).auditRateBps;
            if (uint256(keccak256(abi.encode(seed, batchId, i))) % BPS >= rate) continue;
            uint8 skip = _auditSkip(leaf.requestId);
            if (skip != 0) {
                emit AuditSkipped(batchId, leaf.requestId, skip);
                continue;
            }
            uint256 id = _open(KIND_AUDIT, batchId, leaf, msg.sender, 0, seedBlock);
            _seat(id, seed);
            audited++;
        }
        emit AuditsDrawn(batchId, seedBlock, leaves.length, audited);
        if (audited != 0) {
            _payGas(
                start - gasleft() + GasCharges.COURT_DRAW_TX + GasCharges.COURT_LEAF * leaves.length
                    + GasCharges.COURT_SIGNER * signers
            );
        }
    }

    // -------------------------------------------------------------- challenges

    /// @notice Challenges a settled answer within its model's challenge window, escrowing
    ///         `msg.value` as the bond (at least `requiredBond`). The jury is drawn by
    ///         `drawJury` from the hash of the next block.
    /// @param batch the answer's settlement batch, with every leaf hash
    /// @param index the answer's position in the batch
    /// @param leaf the answer
    function challenge(Batch calldata batch, uint256 index, Leaf calldata leaf)
        external
        payable
        nonReentrant
        returns (uint256 disputeId)
    {
        if (index >= batch.leaves.length || batch.leaves[index] != _leafHash(leaf)) {
            revert LeafMismatch(batch.batchId, index);
        }
        _checkBatch(batch);
        uint256 closesAt = uint256(batch.settledAt) + termsOf(leaf.request.modelId).challengeWindow;
        if (block.timestamp > closesAt) revert ChallengeWindowClosed(leaf.requestId, closesAt);
        uint256 required = requiredBond(leaf.request.fee);
        if (msg.value < required) revert BondTooLow(msg.value, required);
        uint256 open = _openDispute[leaf.requestId];
        if (open != 0) revert DisputeAlreadyOpen(leaf.requestId, open);
        uint256 fault = _fault[leaf.requestId];
        if (fault != 0) revert AlreadyOverturned(leaf.requestId, fault);
        disputeId = _open(KIND_CHALLENGE, batch.batchId, leaf, msg.sender, msg.value, uint64(block.number) + SEED_DELAY);
    }

    /// @notice Draws a challenge's jury once its seed block is mined. Anyone may call it. When
    ///         the seed block is older than 256 blocks, a new seed block is fixed instead; when
    ///         no worker is eligible, the dispute resolves without a majority (bond returned).
    ///         The caller is paid its gas back (GasCharges).
    function drawJury(uint256 disputeId) external nonReentrant {
        uint256 start = gasleft();
        Dispute storage d = _existing(disputeId);
        if (d.state != STATE_AWAITING_JURY) revert NotAwaitingJury(disputeId, d.state);
        bytes32 seed = _seed(d.seedBlock);
        if (seed == 0) {
            d.seedBlock = uint64(block.number) + SEED_DELAY;
            emit JuryDrawDeferred(disputeId, d.seedBlock);
        } else {
            _seat(disputeId, seed);
        }
        _payGas(start - gasleft() + GasCharges.COURT_JURY_TX);
    }

    // ----------------------------------------------------------------- verdicts

    /// @notice Records jurors' signed verdicts, from anyone (a relayer batches them). A verdict
    ///         already recorded, or arriving after the verdict window, is skipped with
    ///         `VerdictSkipped`; if every one is skipped the call reverts with the first reason.
    ///         A dispute whose whole jury has voted resolves at once. The caller is paid back the
    ///         gas of the verdicts it recorded (GasCharges), not of those it skipped.
    /// @return recorded the number of verdicts recorded
    function submitVerdicts(Verdict[] calldata verdicts) external nonReentrant returns (uint256 recorded) {
        if (verdicts.length == 0) revert EmptyVerdicts();
        uint256 firstSkipped;
        address firstSkippedJuror;
        uint8 firstSkip;
        uint256 gas;
        for (uint256 i; i < verdicts.length; ++i) {
            Verdict calldata v = verdicts[i];
            uint256 before = gasleft();
            (address juror, uint8 skip) = _record(v, i);
            if (skip == 0) {
                recorded++;
                gas += before - gasleft();
                continue;
            }
            emit VerdictSkipped(v.disputeId, juror, skip);
            if (firstSkip == 0) (firstSkip, firstSkipped, firstSkippedJuror) = (skip, v.disputeId, juror);
        }
        if (recorded == 0) {
            if (firstSkip == VERDICT_SKIP_RECORDED) revert VerdictAlreadyRecorded(firstSkipped, firstSkippedJuror);
            revert VotingClosed(firstSkipped);
        }
        _payGas(gas + GasCharges.COURT_VERDICTS_TX + GasCharges.COURT_VERDICT * recorded);
    }

    /// @notice Resolves a dispute whose verdict window has closed (every juror's verdict resolves
    ///         it earlier, in `submitVerdicts`). Anyone may call it; the caller is paid its gas
    ///         back (GasCharges).
    function resolve(uint256 disputeId) external nonReentrant {
        uint256 start = gasleft();
        Dispute storage d = _existing(disputeId);
        if (d.state != STATE_VOTING) revert NotVoting(disputeId, d.state);
        if (block.timestamp <= d.verdictDeadline && _popcount(d.voted) < d.jurors.length) {
            revert VotingOpen(disputeId, d.verdictDeadline);
        }
        _resolve(disputeId, d);
        _payGas(start - gasleft() + GasCharges.COURT_RESOLVE_TX);
    }

    /// @notice Receives seized stake from the WorkerRegistry, during a resolution.
    function depositSlashed(address, uint256) external payable {
        if (msg.sender != address(workers)) revert NotWorkerRegistry(msg.sender);
    }

    // -------------------------------------------------------------------- views

    /// @notice A model's accountability terms (the court's defaults unless the model set its own).
    function termsOf(uint256 modelId) public view returns (Terms memory) {
        Terms memory t = _terms[modelId];
        return t.jurySize == 0 ? _defaultTerms : t;
    }

    function params() external view returns (Params memory) {
        return _params;
    }

    /// @notice The bond a challenge of a request with `fee` needs: max(minBond, bondFeeMultiple x fee).
    function requiredBond(uint256 fee) public view returns (uint256) {
        Params memory p = _params;
        uint256 byFee = fee * p.bondFeeMultiple;
        return byFee > p.minBond ? byFee : p.minBond;
    }

    /// @notice A dispute, whole (state 0: unknown).
    function dispute(uint256 disputeId) external view returns (Dispute memory) {
        return _disputes[disputeId];
    }

    /// @notice The tolerance a dispute opened with (the model's at the time): what its jurors
    ///         compare outputs by.
    function toleranceOf(uint256 disputeId) external view returns (uint8 mode, uint32 ulps, uint64 absE9) {
        Dispute storage d = _existing(disputeId);
        return (d.toleranceMode, d.toleranceUlps, d.toleranceAbsE9);
    }

    /// @notice The number of disputes opened; ids run from 1 to this.
    function disputeCount() external view returns (uint256) {
        return _disputeCount;
    }

    /// @notice The open dispute over a request's answer, or zero.
    function openDisputeOf(uint256 requestId) external view returns (uint256) {
        return _openDispute[requestId];
    }

    /// @notice The dispute that proved a request's answer wrong, or zero: a dApp can check this
    ///         before acting on an answer.
    function faultOf(uint256 requestId) external view returns (uint256) {
        return _fault[requestId];
    }

    function auditsDrawn(uint256 batchId) external view returns (bool) {
        return _auditsDrawn[batchId];
    }

    /// @notice A key's seized stake the court still keeps to refund its open disputes, and the
    ///         fees of those disputes.
    function forfeitOf(address signer) external view returns (uint256 kept, uint256 exposure) {
        Forfeit memory f = _forfeits[signer];
        return (f.pot, f.exposure);
    }

    /// @notice The longest a dispute may run after its answer settled: the longest challenge
    ///         window plus the verdict window. The WorkerRegistry keeps its unbonding delay above it.
    function longestDisputeSpan() public view returns (uint64) {
        return _longestWindow + _params.verdictWindow;
    }

    /// @notice The EIP-712 digest a juror signs (domain: the hub's, "Credence" "1").
    function verdictDigest(
        uint256 disputeId,
        uint256 requestId,
        bytes32 outputHash,
        bytes32 jurorOutputHash,
        bool agrees
    ) public view returns (bytes32) {
        bytes32 domain = keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Credence"), keccak256("1"), block.chainid, address(hub))
        );
        bytes32 structHash =
            keccak256(abi.encode(VERDICT_TYPEHASH, disputeId, requestId, outputHash, jurorOutputHash, agrees));
        return keccak256(abi.encodePacked(hex"1901", domain, structHash));
    }

    // -------------------------------------------------------------------- admin

    /// @notice Sets a model's accountability terms (its owner in the ModelRegistry). Disputes
    ///         already open keep the jury and tolerance they opened with.
    function setModelTerms(uint256 modelId, Terms calldata terms) external {
        address owner_ = registry.model(modelId).owner;
        if (msg.sender != owner_) revert NotModelOwner(modelId, msg.sender);
        _checkTerms(terms);
        _terms[modelId] = terms;
        emit ModelTermsSet(modelId, terms);
    }

    function setDefaultTerms(Terms calldata terms) external onlyOwner {
        _setDefaultTerms(terms);
    }

    function setParams(Params calldata p) external onlyOwner {
        _checkParams(p);
        _checkSpan(_longestWindow, p.verdictWindow);
        _params = p;
        emit ParamsSet(p);
    }

    // ----------------------------------------------------------------- internal

    function _setDefaultTerms(Terms memory terms) private {
        _checkTerms(terms);
        _defaultTerms = terms;
        emit ModelTermsSet(0, terms);
    }

    function _checkTerms(Terms memory t) private {
        if (
            t.challengeWindow < MIN_CHALLENGE_WINDOW || t.auditRateBps > BPS || t.jurySize == 0 || t.jurySize > MAX_JURY
                || t.toleranceMode < TOLERANCE_EXACT || t.toleranceMode > TOLERANCE_CLOSE
        ) revert InvalidTerms();
        if (t.challengeWindow > _longestWindow) {
            _checkSpan(t.challengeWindow, _params.verdictWindow);
            _longestWindow = t.challengeWindow;
        }
    }

    function _checkParams(Params memory p) private pure {
        if (
            p.verdictWindow == 0 || uint256(p.challengerRewardBps) + p.jurorRewardBps > BPS || p.challengeJurySize == 0
                || p.challengeJurySize > MAX_JURY
        ) revert InvalidParams();
    }

    /// @dev Stake must outlive a dispute: the unbonding delay exceeds window + verdict window.
    function _checkSpan(uint64 window, uint64 verdictWindow) private view {
        uint64 delay = workers.unbondingDelay();
        if (uint256(window) + verdictWindow >= delay) revert SpanTooLong(window + verdictWindow, delay);
    }

    function _leafHash(Leaf calldata leaf) private pure returns (bytes32) {
        bytes32 commitment = SettlementRecords.commitment(keccak256(abi.encode(leaf.request)));
        return SettlementRecords.leaf(leaf.requestId, commitment, leaf.outputHash, leaf.signers);
    }

    /// @dev Reverts unless `batch` is exactly what the hub recorded for its id.
    function _checkBatch(Batch memory batch) private view {
        bytes32 stored = hub.batchRecord(batch.batchId);
        if (stored == 0) revert UnknownBatch(batch.batchId);
        bytes32 computed =
            SettlementRecords.record(SettlementRecords.leavesHash(batch.leaves), batch.settledBlock, batch.settledAt);
        if (computed != stored) revert BatchMismatch(batch.batchId);
    }

    /// @dev The hash of `seedBlock` once mined; zero before, or when older than 256 blocks.
    function _seed(uint64 seedBlock) private view returns (bytes32) {
        if (block.number <= seedBlock) revert SeedNotReady(seedBlock, block.number);
        return blockhash(seedBlock);
    }

    function _auditSkip(uint256 requestId) private view returns (uint8) {
        if (_openDispute[requestId] != 0) return AUDIT_SKIP_DISPUTED;
        if (_fault[requestId] != 0) return AUDIT_SKIP_OVERTURNED;
        return 0;
    }

    function _open(uint8 kind, uint256 batchId, Leaf calldata leaf, address challenger, uint256 bond, uint64 seedBlock)
        private
        returns (uint256 id)
    {
        id = ++_disputeCount;
        Terms memory t = termsOf(leaf.request.modelId);
        Dispute storage d = _disputes[id];
        d.requestId = _to64(leaf.requestId);
        d.modelId = _to64(leaf.request.modelId);
        d.batchId = _to64(batchId);
        d.kind = kind;
        d.state = STATE_AWAITING_JURY;
        d.requester = leaf.request.requester;
        d.fee = _to96(leaf.request.fee);
        d.challenger = challenger;
        d.bond = _to96(bond);
        d.outputHash = leaf.outputHash;
        d.seedBlock = seedBlock;
        uint8 size = t.jurySize;
        if (kind == KIND_CHALLENGE && _params.challengeJurySize > size) size = _params.challengeJurySize;
        d.jurySize = size;
        d.toleranceMode = t.toleranceMode;
        d.toleranceUlps = t.toleranceUlps;
        d.toleranceAbsE9 = t.toleranceAbsE9;
        d.signers = leaf.signers;
        _openDispute[leaf.requestId] = id;
        for (uint256 i; i < leaf.signers.length; ++i) {
            workers.hold(leaf.signers[i]);
            _forfeits[leaf.signers[i]].exposure += d.fee;
        }
        emit DisputeOpened(id, leaf.requestId, kind, batchId, challenger, bond, leaf.outputHash, leaf.signers);
    }

    /// @dev Draws the jury from `seed`, excluding the answer's signers and keys registered at or
    ///      after the seed block (they could have known the seed).
    function _seat(uint256 id, bytes32 seed) private {
        Dispute storage d = _disputes[id];
        address[] memory jurors = workers.drawJury(keccak256(abi.encode(seed, id)), d.jurySize, d.signers, d.seedBlock);
        if (jurors.length == 0) {
            d.state = STATE_VOTING;
            _resolve(id, d);
            return;
        }
        d.jurors = jurors;
        d.state = STATE_VOTING;
        d.verdictDeadline = uint64(block.timestamp) + _params.verdictWindow;
        emit JuryDrawn(id, jurors, d.verdictDeadline);
    }

    /// @dev Records one verdict, or returns why it was skipped; reverts on a forgery.
    function _record(Verdict calldata v, uint256 index) private returns (address juror, uint8 skip) {
        Dispute storage d = _existing(v.disputeId);
        bytes32 digest = verdictDigest(v.disputeId, d.requestId, d.outputHash, v.jurorOutputHash, v.agrees);
        ECDSA.RecoverError err;
        (juror, err,) = ECDSA.tryRecover(digest, v.signature);
        if (err != ECDSA.RecoverError.NoError) revert InvalidVerdictSignature(v.disputeId, index);
        if (d.state != STATE_VOTING) {
            if (d.state == STATE_AWAITING_JURY) revert NotVoting(v.disputeId, d.state);
            return (juror, VERDICT_SKIP_CLOSED);
        }
        uint256 seat = _seatOf(d, v.disputeId, juror);
        if (!v.agrees && v.jurorOutputHash == d.outputHash) revert InconsistentVerdict(v.disputeId, juror);
        uint16 bit = uint16(1 << seat);
        if (d.voted & bit != 0) return (juror, VERDICT_SKIP_RECORDED);
        if (block.timestamp > d.verdictDeadline) return (juror, VERDICT_SKIP_CLOSED);
        d.voted |= bit;
        if (!v.agrees) {
            if (d.disagreed == 0) d.faultOutputHash = v.jurorOutputHash;
            d.disagreed |= bit;
        }
        uint8 votes = _popcount(d.voted);
        emit VerdictRecorded(v.disputeId, juror, v.agrees, v.jurorOutputHash, votes);
        if (votes == d.jurors.length) _resolve(v.disputeId, d);
    }

    function _seatOf(Dispute storage d, uint256 id, address juror) private view returns (uint256) {
        address[] storage jurors = d.jurors;
        for (uint256 i; i < jurors.length; ++i) {
            if (jurors[i] == juror) return i;
        }
        revert NotJuror(id, juror);
    }

    /// @dev The outcome, by majority of the whole jury drawn.
    function _resolve(uint256 id, Dispute storage d) private {
        uint8 n = uint8(d.jurors.length);
        uint8 disagreed = _popcount(d.disagreed);
        uint8 agreed = _popcount(d.voted) - disagreed;
        uint256 requestId = d.requestId;
        delete _openDispute[requestId];
        address[] memory signers = d.signers;
        for (uint256 i; i < signers.length; ++i) {
            workers.release(signers[i]);
            _forfeits[signers[i]].exposure -= d.fee;
        }
        Payout memory p = _newPayout(n + signers.length + 2);
        if (n != 0 && uint256(disagreed) * 2 > n) {
            d.state = STATE_FAULT_PROVEN;
            _fault[requestId] = id;
            _payFault(id, d, signers, p);
        } else if (n != 0 && uint256(agreed) * 2 > n) {
            d.state = STATE_UPHELD;
            _payUpheld(id, d, signers, p);
            if (d.kind == KIND_CHALLENGE) emit ChallengeRejected(id, requestId, d.challenger, d.bond);
        } else {
            d.state = STATE_NO_MAJORITY;
            _payNoMajority(id, d, p);
        }
        if (d.state != STATE_FAULT_PROVEN) _pay(p, address(0), _releaseForfeits(signers));
        emit DisputeResolved(id, requestId, d.state, agreed, disagreed, n);
        _credit(p);
    }

    /// @dev What a resolution credits in the hub's vault.
    struct Payout {
        address[] accounts;
        uint256[] amounts;
        uint256 count;
        uint256 protocol;
        uint256 total;
    }

    function _newPayout(uint256 n) private pure returns (Payout memory p) {
        p.accounts = new address[](n);
        p.amounts = new uint256[](n);
    }

    function _pay(Payout memory p, address account, uint256 amount) private pure {
        p.total += amount;
        if (account == address(0)) {
            p.protocol += amount;
            return;
        }
        p.accounts[p.count] = account;
        p.amounts[p.count] = amount;
        p.count++;
    }

    /// @dev Every signer's stake is seized (kept per key). From the signers' kept stake: the
    ///      requester's fee back (as far as it goes); then what is not kept for the signers'
    ///      other open disputes is released: `challengerRewardBps` and `jurorRewardBps` of it to
    ///      whoever caught the fault and the jurors who disagreed, the rest to the protocol. The
    ///      challenger also gets its bond back.
    function _payFault(uint256 id, Dispute storage d, address[] memory signers, Payout memory p) private {
        uint256 slashed;
        for (uint256 i; i < signers.length; ++i) {
            uint256 seized = workers.seize(signers[i]);
            _forfeits[signers[i]].pot += _to128(seized);
            slashed += seized;
        }
        uint256 refund;
        for (uint256 i; i < signers.length && refund < d.fee; ++i) {
            Forfeit storage f = _forfeits[signers[i]];
            uint256 take = d.fee - refund < f.pot ? d.fee - refund : f.pot;
            // take <= pot < 2^128
            // forge-lint: disable-next-line(unsafe-typecast)
            f.pot -= uint128(take);
            refund += take;
        }
        uint256 rest = _releaseForfeits(signers);
        uint256 reward = rest * _params.challengerRewardBps / BPS;
        uint256 jurorPart = rest * _params.jurorRewardBps / BPS;
        _pay(p, d.requester, refund);
        _pay(p, d.challenger, uint256(d.bond) + reward);
        uint256 paid = _payJurors(id, d, d.disagreed, jurorPart, p);
        _pay(p, address(0), rest - reward - paid);
        emit FaultProven(id, d.requestId, d.outputHash, d.faultOutputHash, slashed, refund, reward);
    }

    /// @dev Releases the part of the signers' kept stake that no open dispute may need.
    function _releaseForfeits(address[] memory signers) private returns (uint256 released) {
        for (uint256 i; i < signers.length; ++i) {
            Forfeit storage f = _forfeits[signers[i]];
            if (f.pot > f.exposure) {
                released += f.pot - f.exposure;
                f.pot = f.exposure;
            }
        }
    }

    /// @dev The bond pays the jurors who agreed `jurorRewardBps`, the answer's workers the rest.
    function _payUpheld(uint256 id, Dispute storage d, address[] memory signers, Payout memory p) private {
        uint256 bond = d.bond;
        if (bond == 0) return;
        uint256 paid = _payJurors(id, d, d.voted & ~d.disagreed, bond * _params.jurorRewardBps / BPS, p);
        uint256 each = (bond - paid) / signers.length;
        for (uint256 i; i < signers.length; ++i) {
            (address operator,,,,,) = workers.worker(signers[i]);
            _pay(p, operator, each);
        }
        _pay(p, address(0), bond - paid - each * signers.length);
    }

    /// @dev The bond returns to the challenger less `jurorRewardBps` for the jurors who voted.
    function _payNoMajority(uint256 id, Dispute storage d, Payout memory p) private {
        uint256 bond = d.bond;
        if (bond == 0) return;
        uint256 paid = _payJurors(id, d, d.voted, bond * _params.jurorRewardBps / BPS, p);
        _pay(p, d.challenger, bond - paid);
    }

    /// @dev Splits `amount` evenly among the jurors in `seats` (paid to their operators; a juror
    ///      slashed since pays the protocol); returns what was paid, the remainder is the caller's.
    function _payJurors(uint256 id, Dispute storage d, uint16 seats, uint256 amount, Payout memory p)
        private
        returns (uint256 paid)
    {
        uint8 count = _popcount(seats);
        if (count == 0 || amount == 0) return 0;
        uint256 each = amount / count;
        address[] storage jurors = d.jurors;
        for (uint256 i; i < jurors.length; ++i) {
            if (seats & (1 << i) == 0) continue;
            (address operator,,,,,) = workers.worker(jurors[i]);
            _pay(p, operator, each);
            emit JurorPaid(id, jurors[i], operator, each);
            paid += each;
        }
    }

    function _credit(Payout memory p) private {
        if (p.total == 0) return;
        address[] memory accounts = p.accounts;
        uint256[] memory amounts = p.amounts;
        uint256 count = p.count;
        assembly ("memory-safe") {
            mstore(accounts, count)
            mstore(amounts, count)
        }
        hub.creditFromCourt{value: p.total}(accounts, amounts, p.protocol);
    }

    /// @dev Pays the caller `gas` at the court's price, from the protocol's share (in the hub).
    function _payGas(uint256 gas) private {
        uint256 price = GasCharges.courtPrice();
        if (price == 0) return;
        uint256 paid = hub.payFromProtocol(msg.sender, gas * price);
        emit GasPaidBack(msg.sender, gas, price, paid);
    }

    function _existing(uint256 id) private view returns (Dispute storage d) {
        d = _disputes[id];
        if (d.state == 0) revert UnknownDispute(id);
    }

    function _popcount(uint16 bits) private pure returns (uint8 count) {
        while (bits != 0) {
            bits &= bits - 1;
            count++;
        }
    }

    function _to64(uint256 value) private pure returns (uint64) {
        if (value > type(uint64).max) revert AmountTooLarge(value);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint64(value);
    }

    function _to128(uint256 value) private pure returns (uint128) {
        if (value > type(uint128).max) revert AmountTooLarge(value);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint128(value);
    }

    function _to96(uint256 value) private pure returns (uint96) {
        if (value > type(uint96).max) revert AmountTooLarge(value);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(value);
    }
}
