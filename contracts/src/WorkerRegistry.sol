// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

/// @notice Receives slashed stake (the InferenceHub, whose vault credits it).
interface ISlashedStakeSink {
    /// @param reporter credited with `reward`; the rest of `msg.value` goes to the treasury
    function depositSlashed(address reporter, uint256 reward) external payable;
}

/// @notice Keeps a copy of the minimum stake where settlement reads it anyway (the InferenceHub).
interface IMinStakeSink {
    function syncMinStake(uint256 minStake) external;
}

/// @notice How long a dispute may take after settlement (the DisputeCourt): the unbonding delay
///         must stay above it, so that a worker cannot sign a wrong answer and leave before it is
///         proven.
interface IDisputeSpan {
    function longestDisputeSpan() external view returns (uint64);
}

/// @title WorkerRegistry
/// @notice Workers stake ETH behind a signing key. The key signs receipts; the operator (the
///         account that staked) manages the stake and is paid for the key's work. The key may
///         live apart from the operator, in an enclave for example, and proves at registration
///         that it agrees to serve this operator. A key is active while its stake is at least
///         the minimum. Stake leaves through unbonding, after a delay. Slashing, on proven
///         equivocation, is done only by the InferenceHub: the whole stake (unbonding included)
///         goes to the hub's vault, credited to the reporter (`slashRewardBps`) and the treasury
///         (the rest), and the key is banned for good. The DisputeCourt seizes the stake of a
///         key whose answer a jury proved wrong, holds the stake of keys with an open dispute
///         (no withdrawal meanwhile), and draws juries from the registered keys.
contract WorkerRegistry is EIP712, Ownable2Step, ReentrancyGuard {
    using EnumerableSet for EnumerableSet.AddressSet;

    uint256 private constant BPS = 10_000;
    /// @notice Random probes a jury draw makes before it sweeps, per seat.
    uint256 public constant JURY_PROBES_PER_SEAT = 4;
    /// @notice Keys a jury draw's sweep looks at, at most (bounds the draw's gas).
    uint256 public constant JURY_SWEEP_LIMIT = 64;

    /// @notice Signed by the worker key: "I serve `operator`".
    bytes32 public constant WORKER_KEY_TYPEHASH = keccak256("WorkerKey(address operator)");

    /// @dev One slot: read on every settlement.
    struct Worker {
        address operator;
        uint96 stake;
    }

    struct Unbonding {
        uint96 amount;
        uint64 availableAt;
        bool banned;
        uint64 registeredAt; // block number
        uint16 holds; // open disputes over the key's answers
    }

    address public hub;
    /// @notice The DisputeCourt, which seizes and holds stake and draws juries; set once.
    address public court;
    uint256 public minStake;
    uint64 public unbondingDelay;
    uint16 public slashRewardBps;

    mapping(address signer => Worker) private _workers;
    mapping(address signer => Unbonding) private _unbonding;
    /// @dev Every registered key not banned: the pool juries are drawn from.
    EnumerableSet.AddressSet private _keys;

    event WorkerRegistered(address indexed signer, address indexed operator, uint256 stake);
    event StakeAdded(address indexed signer, uint256 amount, uint256 stake);
    event UnbondingStarted(address indexed signer, uint256 amount, uint256 stake, uint64 availableAt);
    event StakeWithdrawn(address indexed signer, address indexed operator, uint256 amount);
    event WorkerSlashed(
        address indexed signer, address indexed operator, address indexed reporter, uint256 amount, uint256 reward
    );
    event StakeSeized(address indexed signer, address indexed operator, uint256 amount);
    event StakeHeld(address indexed signer, uint16 holds);
    event StakeReleased(address indexed signer, uint16 holds);
    event HubSet(address indexed hub);
    event CourtSet(address indexed court);
    event MinStakeChanged(uint256 minStake);
    event UnbondingDelayChanged(uint64 delay);
    event SlashRewardChanged(uint16 bps);

    error ZeroAddress();
    error AlreadyRegistered(address signer, address operator);
    error KeyBanned(address signer);
    error BadKeySignature(address signer, address recovered);
    error UnknownWorker(address signer);
    error NotOperator(address signer, address caller, address operator);
    error ZeroAmount();
    error StakeTooLarge(uint256 stake);
    error InsufficientStake(address signer, uint256 requested, uint256 stake);
    error NothingUnbonding(address signer);
    error StillUnbonding(address signer, uint64 availableAt, uint256 now_);
    error InactiveWorker(address signer);
    error NotHub(address caller);
    error NotCourt(address caller);
    error HubAlreadySet(address hub);
    error CourtAlreadySet(address court);
    error StakeOnHold(address signer, uint16 holds);
    error NotHeld(address signer);
    error DelayTooShort(uint64 delay, uint64 longestDisputeSpan);
    error NothingToSlash(address signer);
    error InvalidBps(uint16 bps);
    error TransferFailed(address to, uint256 amount);

    constructor(address owner_, uint256 minStake_, uint64 unbondingDelay_, uint16 slashRewardBps_)
        EIP712("Credence WorkerRegistry", "1")
        Ownable(owner_)
    {
        if (slashRewardBps_ > BPS) revert InvalidBps(slashRewardBps_);
        minStake = minStake_;
        unbondingDelay = unbondingDelay_;
        slashRewardBps = slashRewardBps_;
    }

    // ------------------------------------------------------------------ workers

    /// @notice Registers `signer` with the caller as operator, staking `msg.value`.
    /// @param keySignature the signer's EIP-712 signature of `WorkerKey(operator = msg.sender)`
    ///        under this contract's domain ("Credence WorkerRegistry", "1").
    function register(address signer, bytes calldata keySignature) external payable {
        if (signer == address(0)) revert ZeroAddress();
        if (_unbonding[signer].banned) revert KeyBanned(signer);
        address existing = _workers[signer].operator;
        if (existing != address(0)) revert AlreadyRegistered(signer, existing);
        address recovered = ECDSA.recover(workerKeyDigest(msg.sender), keySignature);
        if (recovered != signer) revert BadKeySignature(signer, recovered);
        _workers[signer] = Worker({operator: msg.sender, stake: _toStake(msg.value)});
        _unbonding[signer].registeredAt = uint64(block.number);
        _keys.add(signer);
        emit WorkerRegistered(signer, msg.sender, msg.value);
    }

    /// @notice Adds `msg.value` to a worker's stake (operator only).
    function addStake(address signer) external payable {
        Worker storage w = _operated(signer);
        if (msg.value == 0) revert ZeroAmount();
        uint256 stake = w.stake + msg.value;
        w.stake = _toStake(stake);
        emit StakeAdded(signer, msg.value, stake);
    }

    /// @notice Starts unbonding `amount` of a worker's stake (operator only). The amount stops
    ///         counting towards the minimum at once and can be withdrawn after the delay; a new
    ///         unbonding restarts the delay for everything unbonding.
    function unbond(address signer, uint256 amount) external {
        Worker storage w = _operated(signer);
        if (amount == 0) revert ZeroAmount();
        if (amount > w.stake) revert InsufficientStake(signer, amount, w.stake);
        // amount <= stake < 2^96, checked above
        // forge-lint: disable-next-line(unsafe-typecast)
        w.stake -= uint96(amount);
        Unbonding storage u = _unbonding[signer];
        u.amount = _toStake(u.amount + amount);
        u.availableAt = uint64(block.timestamp) + unbondingDelay;
        emit UnbondingStarted(signer, amount, w.stake, u.availableAt);
    }

    /// @notice Sends a worker's unbonded stake to its operator once the delay has passed and no
    ///         dispute over the key's answers is open.
    function withdraw(address signer) external nonReentrant {
        Worker storage w = _operated(signer);
        Unbonding storage u = _unbonding[signer];
        uint256 amount = u.amount;
        if (amount == 0) revert NothingUnbonding(signer);
        if (block.timestamp < u.availableAt) revert StillUnbonding(signer, u.availableAt, block.timestamp);
        if (u.holds != 0) revert StakeOnHold(signer, u.holds);
        u.amount = 0;
        address operator = w.operator;
        emit StakeWithdrawn(signer, operator, amount);
        (bool ok,) = operator.call{value: amount}("");
        if (!ok) revert TransferFailed(operator, amount);
    }

    /// @notice Slashes a worker's whole stake for proven equivocation. Only the hub may call.
    function slash(address signer, address reporter) external nonReentrant returns (uint256 amount) {
        if (msg.sender != hub) revert NotHub(msg.sender);
        address operator;
        (operator, amount) = _take(signer);
        if (amount == 0) revert NothingToSlash(signer);
        uint256 reward = amount * slashRewardBps / BPS;
        emit WorkerSlashed(signer, operator, reporter, amount, reward);
        ISlashedStakeSink(msg.sender).depositSlashed{value: amount}(reporter, reward);
    }

    /// @notice Takes a key's whole stake (unbonding included) for an answer a jury proved wrong,
    ///         bans the key and sends the stake to the court. Only the court may call; a key
    ///         already slashed yields zero.
    function seize(address signer) external nonReentrant returns (uint256 amount) {
        if (msg.sender != court) revert NotCourt(msg.sender);
        address operator;
        (operator, amount) = _take(signer);
        if (amount == 0) return 0;
        emit StakeSeized(signer, operator, amount);
        ISlashedStakeSink(msg.sender).depositSlashed{value: amount}(address(0), 0);
    }

    /// @notice Holds a key's stake while a dispute over its answer is open (only the court).
    function hold(address signer) external {
        if (msg.sender != court) revert NotCourt(msg.sender);
        Unbonding storage u = _unbonding[signer];
        u.holds += 1;
        emit StakeHeld(signer, u.holds);
    }

    /// @notice Ends one hold (only the court).
    function release(address signer) external {
        if (msg.sender != court) revert NotCourt(msg.sender);
        Unbonding storage u = _unbonding[signer];
        if (u.holds == 0) revert NotHeld(signer);
        u.holds -= 1;
        emit StakeReleased(signer, u.holds);
    }

    // -------------------------------------------------------------------- views

    /// @notice Digest a worker key signs to serve `operator`.
    function workerKeyDigest(address operator) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(WORKER_KEY_TYPEHASH, operator)));
    }

    /// @notice Draws up to `size` distinct jurors from the registered keys with `seed`: active,
    ///         registered before block `registeredBefore`, and not in `exclude`. Each seat is
    ///         tried with random probes first (uniform over the keys); when probes leave seats
    ///         empty, a sweep from a random key fills them from at most JURY_SWEEP_LIMIT keys, so
    ///         the jury is smaller only when few keys are eligible.
    function drawJury(bytes32 seed, uint256 size, address[] calldata exclude, uint64 registeredBefore)
        external
        view
        returns (address[] memory jury)
    {
        uint256 n = _keys.length();
        jury = new address[](size);
        uint256 count;
        if (n != 0) {
            uint256 probes = size * JURY_PROBES_PER_SEAT;
            for (uint256 p; p < probes && count < size; ++p) {
                address candidate = _keys.at(uint256(keccak256(abi.encode(seed, p))) % n);
                if (_eligible(candidate, jury, count, exclude, registeredBefore)) jury[count++] = candidate;
            }
            uint256 start = uint256(keccak256(abi.encode(seed, "sweep"))) % n;
            uint256 sweep = n < JURY_SWEEP_LIMIT ? n : JURY_SWEEP_LIMIT;
            for (uint256 k; k < sweep && count < size; ++k) {
                address candidate = _keys.at((start + k) % n);
                if (_eligible(candidate, jury, count, exclude, registeredBefore)) jury[count++] = candidate;
            }
        }
        assembly ("memory-safe") {
            mstore(jury, count)
        }
    }

    /// @notice Number of registered keys not banned (the jury pool).
    function keyCount() external view returns (uint256) {
        return _keys.length();
    }

    /// @notice The registered key at `index` of the jury pool (order changes when a key is banned).
    function keyAt(uint256 index) external view returns (address) {
        return _keys.at(index);
    }

    /// @notice Everything about a worker key.
    function worker(address signer)
        external
        view
        returns (address operator, uint256 stake, uint256 unbonding, uint64 availableAt, bool banned, bool active)
    {
        Worker storage w = _workers[signer];
        Unbonding storage u = _unbonding[signer];
        return (w.operator, w.stake, u.amount, u.availableAt, u.banned, _active(w) && !u.banned);
    }

    /// @notice True when `signer` may sign receipts now.
    function isActive(address signer) external view returns (bool) {
        return _active(_workers[signer]) && !_unbonding[signer].banned;
    }

    /// @notice The operators of `signers`, reverting with InactiveWorker for the first whose
    ///         stake is below `minimum` (or that is unknown or banned). Used by the hub once per
    ///         settlement batch with its copy of `minStake` (pushed by `setMinStake`), which it
    ///         reads from a slot settlement reads anyway.
    function activeOperators(address[] calldata signers, uint256 minimum)
        external
        view
        returns (address[] memory operators)
    {
        operators = new address[](signers.length);
        uint256 min = minimum;
        for (uint256 i; i < signers.length; ++i) {
            Worker storage w = _workers[signers[i]];
            if (w.operator == address(0) || w.stake < min || w.stake == 0) revert InactiveWorker(signers[i]);
            operators[i] = w.operator;
        }
    }

    // -------------------------------------------------------------------- admin

    /// @notice Names the hub allowed to slash (and receiving slashed stake); can be set once.
    function setHub(address hub_) external onlyOwner {
        if (hub_ == address(0)) revert ZeroAddress();
        if (hub != address(0)) revert HubAlreadySet(hub);
        hub = hub_;
        emit HubSet(hub_);
        IMinStakeSink(hub_).syncMinStake(minStake);
    }

    /// @notice Sets the stake a key needs to be active (at most 2^96 - 1), and pushes it to the hub.
    function setMinStake(uint256 minStake_) external onlyOwner {
        minStake = _toStake(minStake_);
        emit MinStakeChanged(minStake_);
        if (hub != address(0)) IMinStakeSink(hub).syncMinStake(minStake_);
    }

    /// @notice Names the DisputeCourt; can be set once. The unbonding delay must already
    ///         exceed the court's longest dispute span.
    function setCourt(address court_) external onlyOwner {
        if (court_ == address(0)) revert ZeroAddress();
        if (court != address(0)) revert CourtAlreadySet(court);
        court = court_;
        _checkDelay(unbondingDelay);
        emit CourtSet(court_);
    }

    /// @notice Sets the unbonding delay; with a court, it must exceed the longest dispute span
    ///         (challenge window plus verdict window), so stake outlives every dispute.
    function setUnbondingDelay(uint64 delay) external onlyOwner {
        _checkDelay(delay);
        unbondingDelay = delay;
        emit UnbondingDelayChanged(delay);
    }

    function setSlashRewardBps(uint16 bps) external onlyOwner {
        if (bps > BPS) revert InvalidBps(bps);
        slashRewardBps = bps;
        emit SlashRewardChanged(bps);
    }

    // ----------------------------------------------------------------- internal

    function _checkDelay(uint64 delay) private view {
        if (court == address(0)) return;
        uint64 span = IDisputeSpan(court).longestDisputeSpan();
        if (delay <= span) revert DelayTooShort(delay, span);
    }

    /// @dev Empties and bans a key: no operator makes it unknown to addStake/unbond/withdraw and
    ///      never active again; banned, it cannot be registered again; it leaves the jury pool.
    function _take(address signer) private returns (address operator, uint256 amount) {
        Worker storage w = _workers[signer];
        Unbonding storage u = _unbonding[signer];
        amount = uint256(w.stake) + u.amount;
        operator = w.operator;
        if (amount == 0) return (operator, 0);
        w.operator = address(0);
        w.stake = 0;
        u.amount = 0;
        u.banned = true;
        _keys.remove(signer);
    }

    function _eligible(
        address candidate,
        address[] memory jury,
        uint256 count,
        address[] calldata exclude,
        uint64 registeredBefore
    ) private view returns (bool) {
        Worker storage w = _workers[candidate];
        Unbonding storage u = _unbonding[candidate];
        if (!_active(w) || u.banned || u.registeredAt >= registeredBefore) return false;
        for (uint256 i; i < exclude.length; ++i) {
            if (exclude[i] == candidate) return false;
        }
        for (uint256 i; i < count; ++i) {
            if (jury[i] == candidate) return false;
        }
        return true;
    }

    function _operated(address signer) private view returns (Worker storage w) {
        w = _workers[signer];
        if (w.operator == address(0)) revert UnknownWorker(signer);
        if (w.operator != msg.sender) revert NotOperator(signer, msg.sender, w.operator);
    }

    function _active(Worker storage w) private view returns (bool) {
        return w.operator != address(0) && w.stake != 0 && w.stake >= minStake;
    }

    function _toStake(uint256 amount) private pure returns (uint96) {
        if (amount > type(uint96).max) revert StakeTooLarge(amount);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        return uint96(amount);
    }
}
