// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/// @notice Receives slashed stake (the InferenceHub, whose vault credits it).
interface ISlashedStakeSink {
    /// @param reporter credited with `reward`; the rest of `msg.value` goes to the treasury
    function depositSlashed(address reporter, uint256 reward) external payable;
}

/// @title WorkerRegistry
/// @notice Workers stake ETH behind a signing key. The key signs receipts; the operator (the
///         account that staked) manages the stake and is paid for the key's work. The key may
///         live apart from the operator, in an enclave for example, and proves at registration
///         that it agrees to serve this operator. A key is active while its stake is at least
///         the minimum. Stake leaves through unbonding, after a delay. Slashing, on proven
///         equivocation, is done only by the InferenceHub: the whole stake (unbonding included)
///         goes to the hub's vault, credited to the reporter (`slashRewardBps`) and the treasury
///         (the rest), and the key is banned for good.
contract WorkerRegistry is EIP712, Ownable2Step, ReentrancyGuard {
    uint256 private constant BPS = 10_000;

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
    }

    address public hub;
    uint256 public minStake;
    uint64 public unbondingDelay;
    uint16 public slashRewardBps;

    mapping(address signer => Worker) private _workers;
    mapping(address signer => Unbonding) private _unbonding;

    event WorkerRegistered(address indexed signer, address indexed operator, uint256 stake);
    event StakeAdded(address indexed signer, uint256 amount, uint256 stake);
    event UnbondingStarted(address indexed signer, uint256 amount, uint256 stake, uint64 availableAt);
    event StakeWithdrawn(address indexed signer, address indexed operator, uint256 amount);
    event WorkerSlashed(
        address indexed signer, address indexed operator, address indexed reporter, uint256 amount, uint256 reward
    );
    event HubSet(address indexed hub);
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
    error HubAlreadySet(address hub);
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

    /// @notice Sends a worker's unbonded stake to its operator once the delay has passed.
    function withdraw(address signer) external nonReentrant {
        Worker storage w = _operated(signer);
        Unbonding storage u = _unbonding[signer];
        uint256 amount = u.amount;
        if (amount == 0) revert NothingUnbonding(signer);
        if (block.timestamp < u.availableAt) revert StillUnbonding(signer, u.availableAt, block.timestamp);
        u.amount = 0;
        address operator = w.operator;
        emit StakeWithdrawn(signer, operator, amount);
        (bool ok,) = operator.call{value: amount}("");
        if (!ok) revert TransferFailed(operator, amount);
    }

    /// @notice Slashes a worker's whole stake for proven equivocation. Only the hub may call.
    function slash(address signer, address reporter) external nonReentrant returns (uint256 amount) {
        if (msg.sender != hub) revert NotHub(msg.sender);
        Worker storage w = _workers[signer];
        Unbonding storage u = _unbonding[signer];
        amount = uint256(w.stake) + u.amount;
        if (amount == 0) revert NothingToSlash(signer);
        address operator = w.operator;
        // no operator: the key is unknown to addStake/unbond/withdraw and never active again;
        // banned: it cannot be registered again
        w.operator = address(0);
        w.stake = 0;
        u.amount = 0;
        u.banned = true;
        uint256 reward = amount * slashRewardBps / BPS;
        emit WorkerSlashed(signer, operator, reporter, amount, reward);
        ISlashedStakeSink(msg.sender).depositSlashed{value: amount}(reporter, reward);
    }

    // -------------------------------------------------------------------- views

    /// @notice Digest a worker key signs to serve `operator`.
    function workerKeyDigest(address operator) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(WORKER_KEY_TYPEHASH, operator)));
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

    /// @notice The operators of `signers`, reverting with InactiveWorker for the first that is not
    ///         active. Used by the hub once per receipt.
    function activeOperators(address[] calldata signers) external view returns (address[] memory operators) {
        operators = new address[](signers.length);
        uint256 min = minStake;
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
    }

    function setMinStake(uint256 minStake_) external onlyOwner {
        minStake = minStake_;
        emit MinStakeChanged(minStake_);
    }

    function setUnbondingDelay(uint64 delay) external onlyOwner {
        unbondingDelay = delay;
        emit UnbondingDelayChanged(delay);
    }

    function setSlashRewardBps(uint16 bps) external onlyOwner {
        if (bps > BPS) revert InvalidBps(bps);
        slashRewardBps = bps;
        emit SlashRewardChanged(bps);
    }

    // ----------------------------------------------------------------- internal

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
