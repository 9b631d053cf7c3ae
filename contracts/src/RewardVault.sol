// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ModelRegistry} from "./ModelRegistry.sol";

/// @title RewardVault
/// @notice Everything Credence owes, paid out when claimed (pull payments): the protocol's share,
///         workers' pay, contributors' shares of model fees, requester refunds, slashing rewards.
/// @dev    A module of the InferenceHub's deployed code, so that a settlement credits its split in
///         the same contract that holds the escrow: no ETH moves between contracts until a
///         claim. (A separate vault contract cost every settlement a value transfer and a cold
///         call, about 20 000 gas; see docs/protocol.md.) The hub's ETH is the escrow of pending
///         requests plus everything claimable here.
///
///         Contributor credits are lazy: a settlement adds to one pool per model, constant gas
///         whatever the number of contributors. Distributing a pool (`distribute`, or
///         `claim(modelIds)`) credits all the model's contributors exactly by share, rounding
///         remainders to the model's first contributor (index 0). The protocol's share accrues
///         in the same slot as the fee split and is credited to the treasury when collected
///         (which any claim by the treasury does). Balances are stored plus one once an
///         account is credited, so a claim never returns a slot to zero and the next credit costs a
///         warm write instead of a new slot.
abstract contract RewardVault is ReentrancyGuardTransient {
    uint256 private constant BPS = 10_000;

    /// @notice Where contributors and their shares are registered.
    ModelRegistry public immutable registry;

    /// @dev The fee split and the protocol's accrued share: one slot, read and written once by
    ///      every settlement batch; the inheritor keeps the minimum worker stake in it too.
    struct Split {
        uint16 protocolBps;
        uint16 workerBps;
        uint96 protocolAccrued;
        uint96 minStake;
    }

    Split internal _splitState;
    address private _treasury;
    mapping(address account => uint256) private _balancePlusOne;

    event ProtocolFeesCollected(address indexed treasury, uint256 amount);
    /// @notice A model's pool was distributed: `amount` among its contributors, after its
    ///         parents' parts (each a LineagePaid before it).
    event ModelPoolDistributed(uint256 indexed modelId, uint256 amount);
    /// @notice Distributing `modelId`'s pool paid `amount` into the pool of its parent `parentId`.
    event LineagePaid(uint256 indexed modelId, uint256 indexed parentId, uint256 amount);
    event Claimed(address indexed account, address indexed to, uint256 amount);
    event TreasuryChanged(address indexed previous, address indexed treasury);
    event Deposited(address indexed account, address indexed from, uint256 amount);

    error NothingToClaim(address account);
    error TransferFailed(address to, uint256 amount);
    error ZeroTreasury();
    error ZeroRecipient();
    error ProtocolAccrualOverflow(uint256 accrued);
    error InsufficientBalance(address account, uint256 balance, uint256 needed);
    error ZeroDeposit();

    constructor(ModelRegistry registry_, address treasury_) {
        if (treasury_ == address(0)) revert ZeroTreasury();
        registry = registry_;
        _treasury = treasury_;
        emit TreasuryChanged(address(0), treasury_);
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Adds `msg.value` to the caller's balance, from which its signed requests are paid
    ///         (their refunds and unspent allowances land there too); `claim` takes it all back.
    function deposit() external payable {
        _deposit(msg.sender);
    }

    /// @notice Adds `msg.value` to `account`'s balance (funding someone else's signed requests).
    function depositFor(address account) external payable {
        if (account == address(0)) revert ZeroRecipient();
        _deposit(account);
    }

    // ------------------------------------------------------------------ claims

    /// @notice Pays the caller everything credited to it. A contributor's share of a model pool
    ///         is credited when the pool is distributed: use `claim(modelIds)`, or `distribute`.
    /// @dev    Deliberately touches nothing but the caller's balance: anyone can list any address
    ///         as a contributor of models of their own, so iterating over an account's models
    ///         here would let a stranger make its claim too expensive to ever succeed.
    function claim() external returns (uint256 amount) {
        return _claim(payable(msg.sender), new uint256[](0));
    }

    /// @notice Distributes the pools of `modelIds` (the caller's models), then pays the caller
    ///         everything credited to it.
    function claim(uint256[] calldata modelIds) external returns (uint256 amount) {
        return _claim(payable(msg.sender), modelIds);
    }

    /// @notice Like `claim(modelIds)`, paying `to` (for accounts that cannot receive ETH).
    function claimTo(address payable to, uint256[] calldata modelIds) external returns (uint256 amount) {
        if (to == address(0)) revert ZeroRecipient();
        return _claim(to, modelIds);
    }

    /// @notice Distributes a model's pending contributor pool into its contributors' balances.
    ///         Anyone may call it; claims do it for the claimant's models.
    function distribute(uint256 modelId) external nonReentrant {
        _distribute(modelId);
    }

    /// @notice Credits the accrued protocol share to the treasury's balance. Anyone may call it.
    function collectProtocolFees() external nonReentrant {
        _collectProtocolFees();
    }

    // ------------------------------------------------------------------- views

    /// @notice Everything `account` could claim now, to the wei, with `claim(modelIds)` naming all
    ///         its models (a view: it walks every model the account contributes to). What the
    ///         pools of models derived from its models hold is not counted: it reaches its models'
    ///         pools when those are distributed (`distribute`, or naming them first in `claim`).
    function claimable(address account) public view returns (uint256 amount) {
        amount = _balanceOf(account);
        if (account == _treasury) amount += _splitState.protocolAccrued;
        ModelRegistry.ContributorRef[] memory refs = registry.contributionsOf(account);
        for (uint256 i; i < refs.length; ++i) {
            if (_seenBefore(refs, i)) continue;
            uint256 pool = _poolOf(refs[i].modelId);
            if (pool == 0) continue;
            (ModelRegistry.Contributor[] memory list, ModelRegistry.Parent[] memory parents) =
                registry.distributionOf(refs[i].modelId);
            uint256[] memory shares = _shares(pool - _lineageParts(pool, parents), list);
            for (uint256 j; j < list.length; ++j) {
                if (list[j].account == account) amount += shares[j];
            }
        }
    }

    /// @notice What `account` holds already credited (excludes undistributed pools and accrued
    ///         protocol fees).
    function balanceOf(address account) public view returns (uint256) {
        return _balanceOf(account);
    }

    /// @notice A model's contributor pool not yet distributed.
    function pendingPool(uint256 modelId) external view returns (uint256) {
        return _poolOf(modelId);
    }

    /// @notice The protocol's share not yet credited to the treasury.
    function protocolFeesAccrued() external view returns (uint256) {
        return _splitState.protocolAccrued;
    }

    /// @notice Receives the protocol's share and the non-reward part of slashed stakes.
    function treasury() public view returns (address) {
        return _treasury;
    }

    // -------------------------------------------------------- for the inheritor

    /// @dev Moves the treasury; fees accrued so far go to the old treasury first.
    function _setTreasury(address treasury_) internal {
        if (treasury_ == address(0)) revert ZeroTreasury();
        _collectProtocolFees();
        emit TreasuryChanged(_treasury, treasury_);
        _treasury = treasury_;
    }

    function _creditProtocol(uint256 amount) internal {
        if (amount == 0) return;
        uint256 accrued = _splitState.protocolAccrued + amount;
        if (accrued > type(uint96).max) revert ProtocolAccrualOverflow(accrued);
        // checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        _splitState.protocolAccrued = uint96(accrued);
    }

    function _creditAccount(address account, uint256 amount) internal {
        uint256 stored = _balancePlusOne[account];
        _balancePlusOne[account] = (stored == 0 ? 1 : stored) + amount;
    }

    /// @dev Makes `account`'s balance slot non-zero (it reads as 0): every later credit to it is
    ///      then a warm rewrite (5 000 gas) rather than a new slot (22 100), so what a settlement
    ///      costs does not depend on whether its requester was ever credited before.
    function _openAccount(address account) internal {
        if (_balancePlusOne[account] == 0) _balancePlusOne[account] = 1;
    }

    /// @dev Pays `amount` to `account` from the protocol's share: first what has accrued, then what
    ///      the treasury was credited and has not claimed. Pays less than `amount` only when both
    ///      ran short.
    function _payFromProtocol(address account, uint256 amount)
        internal
        returns (uint256 fromAccrued, address treasury_, uint256 fromTreasury)
    {
        uint256 accrued = _splitState.protocolAccrued;
        fromAccrued = amount < accrued ? amount : accrued;
        // fromAccrued <= accrued < 2^96
        // forge-lint: disable-next-line(unsafe-typecast)
        if (fromAccrued != 0) _splitState.protocolAccrued = uint96(accrued - fromAccrued);
        treasury_ = _treasury;
        if (fromAccrued < amount) {
            uint256 held = _balanceOf(treasury_);
            fromTreasury = amount - fromAccrued < held ? amount - fromAccrued : held;
            if (fromTreasury != 0) _balancePlusOne[treasury_] -= fromTreasury;
        }
        if (fromAccrued + fromTreasury != 0) _creditAccount(account, fromAccrued + fromTreasury);
    }

    /// @dev Takes `amount` from `account`'s credited balance (a signed request's escrow).
    function _debitAccount(address account, uint256 amount) internal {
        uint256 balance = _balanceOf(account);
        if (balance < amount) revert InsufficientBalance(account, balance, amount);
        _balancePlusOne[account] = balance - amount + 1;
    }

    function _creditPool(uint256 modelId, uint256 amount) internal {
        _setPool(modelId, _poolOf(modelId) + amount);
    }

    /// @dev A model's undistributed contributor pool; the inheritor stores it next to what
    ///      settlement reads anyway.
    function _poolOf(uint256 modelId) internal view virtual returns (uint256);

    function _setPool(uint256 modelId, uint256 amount) internal virtual;

    // ---------------------------------------------------------------- internal

    function _deposit(address account) private nonReentrant {
        if (msg.value == 0) revert ZeroDeposit();
        _creditAccount(account, msg.value);
        emit Deposited(account, msg.sender, msg.value);
    }

    function _claim(address payable to, uint256[] memory modelIds) private nonReentrant returns (uint256 amount) {
        if (msg.sender == _treasury) _collectProtocolFees();
        for (uint256 i; i < modelIds.length; ++i) {
            _distribute(modelIds[i]);
        }
        amount = _balanceOf(msg.sender);
        if (amount == 0) revert NothingToClaim(msg.sender);
        _balancePlusOne[msg.sender] = 1;
        emit Claimed(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    function _collectProtocolFees() private {
        uint256 accrued = _splitState.protocolAccrued;
        if (accrued == 0) return;
        _splitState.protocolAccrued = 0;
        address t = _treasury;
        _creditAccount(t, accrued);
        emit ProtocolFeesCollected(t, accrued);
    }

    /// @dev The parents' parts first (each floor(pool * share / 10 000), into the parent's pool),
    ///      then the rest among the contributors: rounding stays with the contributors.
    function _distribute(uint256 modelId) private {
        uint256 pool = _poolOf(modelId);
        if (pool == 0) return;
        _setPool(modelId, 0);
        (ModelRegistry.Contributor[] memory list, ModelRegistry.Parent[] memory parents) =
            registry.distributionOf(modelId);
        uint256 rest = pool;
        for (uint256 p; p < parents.length; ++p) {
            uint256 part = pool * parents[p].shareBps / BPS;
            if (part == 0) continue;
            rest -= part;
            _creditPool(parents[p].modelId, part);
            emit LineagePaid(modelId, parents[p].modelId, part);
        }
        uint256[] memory shares = _shares(rest, list);
        for (uint256 j; j < list.length; ++j) {
            _creditAccount(list[j].account, shares[j]);
        }
        emit ModelPoolDistributed(modelId, rest);
    }

    function _lineageParts(uint256 pool, ModelRegistry.Parent[] memory parents) private pure returns (uint256 parts) {
        for (uint256 p; p < parents.length; ++p) {
            parts += pool * parents[p].shareBps / BPS;
        }
    }

    /// @dev Each contributor gets floor(pool * share / 10 000); contributor 0 also gets what
    ///      rounding leaves, so the shares always sum to the pool exactly.
    function _shares(uint256 pool, ModelRegistry.Contributor[] memory list)
        private
        pure
        returns (uint256[] memory shares)
    {
        shares = new uint256[](list.length);
        uint256 given;
        for (uint256 j = 1; j < list.length; ++j) {
            shares[j] = pool * list[j].shareBps / BPS;
            given += shares[j];
        }
        shares[0] = pool - given;
    }

    function _balanceOf(address account) private view returns (uint256) {
        uint256 stored = _balancePlusOne[account];
        return stored == 0 ? 0 : stored - 1;
    }

    /// @dev An account listed twice in one model appears twice in its refs; handle the model once.
    function _seenBefore(ModelRegistry.ContributorRef[] memory refs, uint256 i) private pure returns (bool) {
        for (uint256 k; k < i; ++k) {
            if (refs[k].modelId == refs[i].modelId) return true;
        }
        return false;
    }
}
