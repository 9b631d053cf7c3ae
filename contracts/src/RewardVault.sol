// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {ModelRegistry} from "./ModelRegistry.sol";

/// @title RewardVault
/// @notice Holds everything Credence owes and pays it out when claimed (pull payments): the
///         protocol's share, workers' pay, contributors' shares of model fees, requester refunds,
///         slashing rewards. The ETH it holds always equals the sum of what it owes.
/// @dev    Depositors (the InferenceHub, the WorkerRegistry) send ETH with a list of credits.
///         Contributor credits are lazy: a settlement adds to one pool per model (constant gas,
///         whatever the number of contributors); a claim distributes the pools of the claimant's
///         models to all their contributors exactly by share, rounding remainders to the model's
///         first contributor (index 0), and then pays the claimant. Balances are stored plus one
///         once an account is credited, so a claim never returns a slot to zero and the next
///         credit costs a warm write instead of a new slot.
contract RewardVault is Ownable2Step, ReentrancyGuard {
    uint256 private constant BPS = 10_000;

    /// @notice Where contributors and their shares are registered.
    ModelRegistry public immutable registry;

    /// @notice Receives the protocol's part of every fee and the non-reward part of slashes.
    address public treasury;

    mapping(address depositor => bool) public isDepositor;
    mapping(address account => uint256) private _balancePlusOne;
    mapping(uint256 modelId => uint256) private _pendingPool;

    event Deposited(address indexed depositor, uint256 total, uint256 protocolAmount);
    event ModelPoolCredited(uint256 indexed modelId, uint256 amount);
    event ModelPoolDistributed(uint256 indexed modelId, uint256 amount);
    event Claimed(address indexed account, address indexed to, uint256 amount);
    event TreasuryChanged(address indexed previous, address indexed treasury);
    event DepositorSet(address indexed depositor, bool allowed);

    error NotDepositor(address caller);
    error DepositMismatch(uint256 value, uint256 credited);
    error LengthMismatch();
    error ZeroAddress();
    error NothingToClaim(address account);
    error TransferFailed(address to, uint256 amount);

    constructor(address owner_, ModelRegistry registry_, address treasury_) Ownable(owner_) {
        if (treasury_ == address(0) || address(registry_) == address(0)) revert ZeroAddress();
        registry = registry_;
        treasury = treasury_;
        emit TreasuryChanged(address(0), treasury_);
    }

    // ---------------------------------------------------------------- deposits

    /// @notice Credits accounts and model pools; `msg.value` must equal everything credited.
    /// @param protocolAmount credited to the current treasury
    /// @param accounts accounts to credit (workers, requesters, reporters)
    /// @param amounts wei per account
    /// @param modelIds models whose contributor pools receive `poolAmounts`
    function deposit(
        uint256 protocolAmount,
        address[] calldata accounts,
        uint256[] calldata amounts,
        uint256[] calldata modelIds,
        uint256[] calldata poolAmounts
    ) external payable {
        if (!isDepositor[msg.sender]) revert NotDepositor(msg.sender);
        if (accounts.length != amounts.length || modelIds.length != poolAmounts.length) revert LengthMismatch();
        uint256 total = protocolAmount;
        if (protocolAmount != 0) _credit(treasury, protocolAmount);
        for (uint256 i; i < accounts.length; ++i) {
            if (accounts[i] == address(0)) revert ZeroAddress();
            total += amounts[i];
            _credit(accounts[i], amounts[i]);
        }
        for (uint256 i; i < modelIds.length; ++i) {
            total += poolAmounts[i];
            _pendingPool[modelIds[i]] += poolAmounts[i];
            emit ModelPoolCredited(modelIds[i], poolAmounts[i]);
        }
        if (total != msg.value) revert DepositMismatch(msg.value, total);
        emit Deposited(msg.sender, total, protocolAmount);
    }

    // ------------------------------------------------------------------ claims

    /// @notice Pays the caller everything it is owed.
    function claim() external returns (uint256 amount) {
        return _claim(payable(msg.sender));
    }

    /// @notice Pays everything the caller is owed to `to` (for accounts that cannot receive ETH).
    function claimTo(address payable to) external returns (uint256 amount) {
        if (to == address(0)) revert ZeroAddress();
        return _claim(to);
    }

    /// @notice Distributes a model's pending contributor pool into its contributors' balances.
    ///         Anyone may call it; claims do it for the claimant's models automatically.
    function distribute(uint256 modelId) external nonReentrant {
        _distribute(modelId);
    }

    /// @notice Everything `account` could claim now, to the wei.
    function claimable(address account) public view returns (uint256 amount) {
        amount = _balanceOf(account);
        ModelRegistry.ContributorRef[] memory refs = registry.contributionsOf(account);
        for (uint256 i; i < refs.length; ++i) {
            if (_seenBefore(refs, i)) continue;
            uint256 pool = _pendingPool[refs[i].modelId];
            if (pool == 0) continue;
            ModelRegistry.Contributor[] memory list = registry.contributors(refs[i].modelId);
            uint256[] memory shares = _split(pool, list);
            for (uint256 j; j < list.length; ++j) {
                if (list[j].account == account) amount += shares[j];
            }
        }
    }

    /// @notice What `account` holds already distributed (excludes undistributed model pools).
    function balanceOf(address account) external view returns (uint256) {
        return _balanceOf(account);
    }

    /// @notice A model's contributor pool not yet distributed.
    function pendingPool(uint256 modelId) external view returns (uint256) {
        return _pendingPool[modelId];
    }

    // ------------------------------------------------------------------- admin

    function setTreasury(address treasury_) external onlyOwner {
        if (treasury_ == address(0)) revert ZeroAddress();
        emit TreasuryChanged(treasury, treasury_);
        treasury = treasury_;
    }

    function setDepositor(address depositor, bool allowed) external onlyOwner {
        if (depositor == address(0)) revert ZeroAddress();
        isDepositor[depositor] = allowed;
        emit DepositorSet(depositor, allowed);
    }

    // ---------------------------------------------------------------- internal

    function _claim(address payable to) private nonReentrant returns (uint256 amount) {
        ModelRegistry.ContributorRef[] memory refs = registry.contributionsOf(msg.sender);
        for (uint256 i; i < refs.length; ++i) {
            if (!_seenBefore(refs, i)) _distribute(refs[i].modelId);
        }
        amount = _balanceOf(msg.sender);
        if (amount == 0) revert NothingToClaim(msg.sender);
        _balancePlusOne[msg.sender] = 1;
        emit Claimed(msg.sender, to, amount);
        (bool ok,) = to.call{value: amount}("");
        if (!ok) revert TransferFailed(to, amount);
    }

    function _distribute(uint256 modelId) private {
        uint256 pool = _pendingPool[modelId];
        if (pool == 0) return;
        _pendingPool[modelId] = 0;
        ModelRegistry.Contributor[] memory list = registry.contributors(modelId);
        uint256[] memory shares = _split(pool, list);
        for (uint256 j; j < list.length; ++j) {
            _credit(list[j].account, shares[j]);
        }
        emit ModelPoolDistributed(modelId, pool);
    }

    /// @dev Each contributor gets floor(pool * share / 10 000); contributor 0 also gets what
    ///      rounding leaves, so the shares always sum to the pool exactly.
    function _split(uint256 pool, ModelRegistry.Contributor[] memory list)
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

    function _credit(address account, uint256 amount) private {
        uint256 stored = _balancePlusOne[account];
        _balancePlusOne[account] = (stored == 0 ? 1 : stored) + amount;
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
