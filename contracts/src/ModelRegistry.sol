// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";

/// @notice Receives a model's terms whenever they change (the InferenceHub), so that requests and
///         settlements read them from their own storage instead of calling the registry.
interface IModelTermsSink {
    function syncModelTerms(uint256 modelId, bytes32 sha256Hash, uint256 feeWei, uint8 quorum, bool retired) external;
}

/// @title ModelRegistry
/// @notice Datasets and models, and who made them. A dataset is known by the SHA-256 of its file
///         and belongs to the account that registered it. A model is known by a sequential id;
///         it names the SHA-256 of its ONNX file, its fee, how many workers must agree on an
///         answer (quorum), and its contributors with their share of every fee. Contributors
///         never change: a new version is a new model that names its predecessor.
/// @dev    Fee and retirement belong to the model's owner (its registrant), whose role moves in
///         two steps. Contributor lists are append-only storage read when a model's contributor
///         pool is distributed, so settlement never iterates over contributors. Every change of
///         a model's terms is pushed to the hub (set once by the registry's owner); `syncModel`
///         lets anyone push a model's current terms again.
contract ModelRegistry is Ownable2Step {
    /// @notice Contributor roles.
    uint8 public constant ROLE_AUTHOR = 1;
    uint8 public constant ROLE_DATA = 2;
    uint8 public constant ROLE_OTHER = 3;

    /// @notice Shares are in basis points and must sum to this.
    uint16 public constant TOTAL_BPS = 10_000;
    /// @notice Upper bound on contributors per model (bounds registration and claim gas).
    uint256 public constant MAX_CONTRIBUTORS = 64;
    /// @notice Upper bound on the number of workers that must sign one receipt.
    uint8 public constant MAX_QUORUM = 16;
    /// @notice Upper bound on URI length in bytes.
    uint256 public constant MAX_URI_BYTES = 2048;

    /// @notice How a model was derived from a parent.
    uint8 public constant DERIVED_FINE_TUNE = 1;
    uint8 public constant DERIVED_DISTILL = 2;
    uint8 public constant DERIVED_QUANTIZE = 3;
    uint8 public constant DERIVED_ENSEMBLE = 4;
    /// @notice Upper bound on a model's parents.
    uint256 public constant MAX_PARENTS = 8;
    /// @notice Upper bound on the parents' shares of a model's contributor pool, together.
    uint16 public constant MAX_PARENT_BPS = 5_000;
    /// @notice Upper bound on a model's lineage depth (a model without parents is at depth 0,
    ///         a derived model one deeper than its deepest parent): bounds how many
    ///         distributions a fee passes through on its way up.
    uint8 public constant MAX_LINEAGE_DEPTH = 8;

    struct Contributor {
        address account;
        uint8 role;
        uint16 shareBps;
        bytes32 dataset;
    }

    struct Dataset {
        address provider;
        string uri;
    }

    /// @dev Slot 0: sha256. Slot 1: owner, fee, quorum, retired (read together by the hub).
    ///      Slot 2: pending owner and predecessor.
    struct Model {
        bytes32 sha256;
        address owner;
        uint80 feeWei;
        uint8 quorum;
        bool retired;
        address pendingOwner;
        uint96 predecessor;
        string uri;
    }

    /// @notice A model a model was derived from, and the share of the derived model's
    ///         contributor pool that flows to the parent's pool whenever it is distributed.
    struct Parent {
        uint96 modelId;
        uint8 kind;
        uint16 shareBps;
    }

    /// @notice Where an account appears as a contributor: model id and index in its list.
    struct ContributorRef {
        uint96 modelId;
        uint16 index;
    }

    mapping(bytes32 sha256 => Dataset) private _datasets;
    mapping(uint256 modelId => Model) private _models;
    mapping(uint256 modelId => Contributor[]) private _contributors;
    mapping(address account => ContributorRef[]) private _contributions;
    mapping(uint256 modelId => Parent[]) private _parents;
    mapping(uint256 modelId => uint8) private _depth;
    uint256 private _modelCount;

    /// @notice Where model terms are pushed (the InferenceHub); set once.
    IModelTermsSink public hub;

    event DatasetRegistered(bytes32 indexed sha256, address indexed provider, string uri);
    event ModelRegistered(
        uint256 indexed modelId,
        address indexed owner,
        bytes32 indexed sha256,
        string uri,
        uint256 feeWei,
        uint8 quorum,
        uint256 contributorCount
    );
    event ModelVersionRegistered(uint256 indexed modelId, uint256 indexed predecessor);
    event ContributorAdded(
        uint256 indexed modelId,
        uint256 index,
        address indexed account,
        uint8 role,
        uint16 shareBps,
        bytes32 indexed dataset
    );
    event ModelParentAdded(uint256 indexed modelId, uint256 indexed parentId, uint8 kind, uint16 shareBps);
    event ModelFeeChanged(uint256 indexed modelId, uint256 oldFeeWei, uint256 newFeeWei);
    event ModelRetired(uint256 indexed modelId);
    event ModelOwnershipTransferStarted(uint256 indexed modelId, address indexed owner, address indexed pendingOwner);
    event ModelOwnershipTransferred(uint256 indexed modelId, address indexed previousOwner, address indexed newOwner);
    event HubSet(address indexed hub);

    error ZeroHash();
    error EmptyUri();
    error UriTooLong(uint256 length, uint256 max);
    error DatasetAlreadyRegistered(bytes32 sha256, address provider);
    error UnknownDataset(uint256 index, bytes32 dataset);
    error NotDatasetProvider(uint256 index, bytes32 dataset, address provider, address account);
    error UnexpectedDataset(uint256 index, uint8 role, bytes32 dataset);
    error InvalidQuorum(uint8 quorum, uint8 max);
    error FeeTooLarge(uint256 feeWei, uint256 max);
    error InvalidContributorCount(uint256 count, uint256 max);
    error ZeroContributorAddress(uint256 index);
    error InvalidRole(uint256 index, uint8 role);
    error ZeroShare(uint256 index);
    error SharesDoNotSum(uint256 totalBps);
    error UnknownModel(uint256 modelId);
    error NotModelOwner(uint256 modelId, address caller, address owner);
    error NotPendingModelOwner(uint256 modelId, address caller, address pendingOwner);
    error ModelIsRetired(uint256 modelId);
    error HubAlreadySet(address hub);
    error InvalidParentCount(uint256 count, uint256 max);
    error UnknownParent(uint256 index, uint256 parentId);
    error DuplicateParent(uint256 index, uint256 parentId);
    error InvalidDerivation(uint256 index, uint8 kind);
    error ZeroParentShare(uint256 index);
    error ParentSharesTooLarge(uint256 totalBps, uint256 max);
    error LineageTooDeep(uint256 depth, uint256 max);
    error ZeroAddress();

    constructor(address owner_) Ownable(owner_) {}

    /// @notice Names the hub that receives model terms; can be set once.
    function setHub(IModelTermsSink hub_) external onlyOwner {
        if (address(hub_) == address(0)) revert ZeroAddress();
        if (address(hub) != address(0)) revert HubAlreadySet(address(hub));
        hub = hub_;
        emit HubSet(address(hub_));
    }

    /// @notice Pushes a model's current terms to the hub again (anyone may call it).
    function syncModel(uint256 modelId) external {
        _existing(modelId);
        _sync(modelId);
    }

    modifier onlyModelOwner(uint256 modelId) {
        _checkModelOwner(modelId);
        _;
    }

    // ---------------------------------------------------------------- datasets

    /// @notice Registers a dataset; the caller becomes its provider.
    /// @param sha256Hash SHA-256 of the dataset file's bytes.
    /// @param uri Where the file can be fetched (`file:`, `http(s):`, ...).
    function registerDataset(bytes32 sha256Hash, string calldata uri) external {
        if (sha256Hash == bytes32(0)) revert ZeroHash();
        _checkUri(uri);
        address existing = _datasets[sha256Hash].provider;
        if (existing != address(0)) revert DatasetAlreadyRegistered(sha256Hash, existing);
        _datasets[sha256Hash] = Dataset({provider: msg.sender, uri: uri});
        emit DatasetRegistered(sha256Hash, msg.sender, uri);
    }

    /// @notice The dataset with this SHA-256; `provider` is zero when unknown.
    function dataset(bytes32 sha256Hash) external view returns (Dataset memory) {
        return _datasets[sha256Hash];
    }

    // ------------------------------------------------------------------ models

    /// @notice Registers a model; the caller becomes its owner.
    /// @param sha256Hash SHA-256 of the ONNX file's bytes; workers refuse files that do not match.
    /// @param uri Where workers fetch the file.
    /// @param feeWei Minimum fee per request, in wei (at most 2^80 - 1).
    /// @param quorum Number of distinct workers that must sign the same output (1..MAX_QUORUM).
    /// @param contributorList Who shares the contributor part of every fee, in basis points summing
    ///        to 10 000. A DATA contributor names a dataset it registered.
    /// @return modelId The new model's id (sequential, from 1).
    function registerModel(
        bytes32 sha256Hash,
        string calldata uri,
        uint256 feeWei,
        uint8 quorum,
        Contributor[] calldata contributorList
    ) external returns (uint256 modelId) {
        modelId = _newModel(sha256Hash, uri, feeWei, quorum, contributorList.length);
        _addContributors(modelId, contributorList);
        _sync(modelId);
    }

    /// @notice Registers a model derived from others (fine-tuned, distilled, quantized, an
    ///         ensemble); the caller becomes its owner. Each parent takes its share of this
    ///         model's contributor pool whenever the pool is distributed, into its own pool, which
    ///         passes its own parents' shares on in turn: a base model's contributors earn from
    ///         every derivative. Parents exist already, so lineage has no cycles.
    /// @param parentList at most MAX_PARENTS distinct registered models, each with a share of
    ///        this model's pool (shares together at most MAX_PARENT_BPS); this model's lineage
    ///        depth (one more than its deepest parent's) at most MAX_LINEAGE_DEPTH.
    function registerDerivedModel(
        bytes32 sha256Hash,
        string calldata uri,
        uint256 feeWei,
        uint8 quorum,
        Contributor[] calldata contributorList,
        Parent[] calldata parentList
    ) external returns (uint256 modelId) {
        modelId = _newModel(sha256Hash, uri, feeWei, quorum, contributorList.length);
        _addContributors(modelId, contributorList);
        _addParents(modelId, parentList);
        _sync(modelId);
    }

    /// @notice Registers a new version of a model the caller owns; the old one keeps working
    ///         until its owner retires it.
    /// @param predecessor The model this one supersedes.
    function registerModelVersion(
        uint256 predecessor,
        bytes32 sha256Hash,
        string calldata uri,
        uint256 feeWei,
        uint8 quorum,
        Contributor[] calldata contributorList
    ) external onlyModelOwner(predecessor) returns (uint256 modelId) {
        modelId = _newModel(sha256Hash, uri, feeWei, quorum, contributorList.length);
        _addContributors(modelId, contributorList);
        // predecessor exists (onlyModelOwner), so it is at most modelCount, far below 2^96
        // forge-lint: disable-next-line(unsafe-typecast)
        _models[modelId].predecessor = uint96(predecessor);
        emit ModelVersionRegistered(modelId, predecessor);
        _sync(modelId);
    }

    /// @notice Changes a model's fee for future requests. Escrowed requests keep what they paid.
    function setModelFee(uint256 modelId, uint256 feeWei) external onlyModelOwner(modelId) {
        Model storage m = _models[modelId];
        if (m.retired) revert ModelIsRetired(modelId);
        if (feeWei > type(uint80).max) revert FeeTooLarge(feeWei, type(uint80).max);
        uint256 old = m.feeWei;
        // checked against type(uint80).max above
        // forge-lint: disable-next-line(unsafe-typecast)
        m.feeWei = uint80(feeWei);
        emit ModelFeeChanged(modelId, old, feeWei);
        _sync(modelId);
    }

    /// @notice Retires a model: no new requests. Pending requests still settle or refund.
    function retireModel(uint256 modelId) external onlyModelOwner(modelId) {
        Model storage m = _models[modelId];
        if (m.retired) revert ModelIsRetired(modelId);
        m.retired = true;
        emit ModelRetired(modelId);
        _sync(modelId);
    }

    /// @notice Starts moving a model's ownership; `newOwner` must accept. Zero cancels.
    function transferModelOwnership(uint256 modelId, address newOwner) external onlyModelOwner(modelId) {
        _models[modelId].pendingOwner = newOwner;
        emit ModelOwnershipTransferStarted(modelId, msg.sender, newOwner);
    }

    /// @notice Accepts a pending ownership transfer of a model.
    function acceptModelOwnership(uint256 modelId) external {
        Model storage m = _existing(modelId);
        if (msg.sender != m.pendingOwner) revert NotPendingModelOwner(modelId, msg.sender, m.pendingOwner);
        address previous = m.owner;
        m.owner = msg.sender;
        m.pendingOwner = address(0);
        emit ModelOwnershipTransferred(modelId, previous, msg.sender);
    }

    // ------------------------------------------------------------------- views

    /// @notice Number of models registered; ids run from 1 to this.
    function modelCount() external view returns (uint256) {
        return _modelCount;
    }

    /// @notice Everything stored about a model (reverts when unknown).
    function model(uint256 modelId) external view returns (Model memory) {
        return _existing(modelId);
    }

    /// @notice A model's contributors, in registration order.
    function contributors(uint256 modelId) external view returns (Contributor[] memory) {
        _existing(modelId);
        return _contributors[modelId];
    }

    /// @notice Number of contributors of a model.
    function contributorCount(uint256 modelId) external view returns (uint256) {
        _existing(modelId);
        return _contributors[modelId].length;
    }

    /// @notice One contributor of a model.
    function contributor(uint256 modelId, uint256 index) external view returns (Contributor memory) {
        _existing(modelId);
        return _contributors[modelId][index];
    }

    /// @notice The models a model was derived from, with their shares of its pool.
    function parents(uint256 modelId) external view returns (Parent[] memory) {
        _existing(modelId);
        return _parents[modelId];
    }

    /// @notice How many derivations a model is from a model without parents (0 for those).
    function lineageDepth(uint256 modelId) external view returns (uint256) {
        _existing(modelId);
        return _depth[modelId];
    }

    /// @notice What distributing a model's pool reads: its contributors and its parents.
    function distributionOf(uint256 modelId) external view returns (Contributor[] memory, Parent[] memory) {
        _existing(modelId);
        return (_contributors[modelId], _parents[modelId]);
    }

    /// @notice Every (model, index) where `account` is a contributor.
    function contributionsOf(address account) external view returns (ContributorRef[] memory) {
        return _contributions[account];
    }

    // ---------------------------------------------------------------- internal

    function _newModel(bytes32 sha256Hash, string calldata uri, uint256 feeWei, uint8 quorum, uint256 n)
        private
        returns (uint256 modelId)
    {
        if (sha256Hash == bytes32(0)) revert ZeroHash();
        _checkUri(uri);
        if (feeWei > type(uint80).max) revert FeeTooLarge(feeWei, type(uint80).max);
        if (quorum == 0 || quorum > MAX_QUORUM) revert InvalidQuorum(quorum, MAX_QUORUM);
        if (n == 0 || n > MAX_CONTRIBUTORS) revert InvalidContributorCount(n, MAX_CONTRIBUTORS);

        modelId = ++_modelCount;
        Model storage m = _models[modelId];
        m.sha256 = sha256Hash;
        m.owner = msg.sender;
        // checked against type(uint80).max above
        // forge-lint: disable-next-line(unsafe-typecast)
        m.feeWei = uint80(feeWei);
        m.quorum = quorum;
        m.uri = uri;
        emit ModelRegistered(modelId, msg.sender, sha256Hash, uri, feeWei, quorum, n);
    }

    function _addContributors(uint256 modelId, Contributor[] calldata list) private {
        Contributor[] storage stored = _contributors[modelId];
        uint256 total;
        for (uint256 i; i < list.length; ++i) {
            Contributor calldata c = list[i];
            _checkContributor(i, c);
            total += c.shareBps;
            stored.push(c);
            // ids count registrations (< 2^96); i < MAX_CONTRIBUTORS
            // forge-lint: disable-next-line(unsafe-typecast)
            _contributions[c.account].push(ContributorRef({modelId: uint96(modelId), index: uint16(i)}));
            emit ContributorAdded(modelId, i, c.account, c.role, c.shareBps, c.dataset);
        }
        if (total != TOTAL_BPS) revert SharesDoNotSum(total);
    }

    function _addParents(uint256 modelId, Parent[] calldata list) private {
        uint256 n = list.length;
        if (n == 0 || n > MAX_PARENTS) revert InvalidParentCount(n, MAX_PARENTS);
        Parent[] storage stored = _parents[modelId];
        uint256 total;
        uint256 depth;
        for (uint256 i; i < n; ++i) {
            Parent calldata p = list[i];
            if (p.modelId == 0 || p.modelId >= modelId) revert UnknownParent(i, p.modelId);
            if (p.kind < DERIVED_FINE_TUNE || p.kind > DERIVED_ENSEMBLE) revert InvalidDerivation(i, p.kind);
            if (p.shareBps == 0) revert ZeroParentShare(i);
            for (uint256 j; j < i; ++j) {
                if (list[j].modelId == p.modelId) revert DuplicateParent(i, p.modelId);
            }
            total += p.shareBps;
            uint256 d = _depth[p.modelId] + 1;
            if (d > depth) depth = d;
            stored.push(p);
            emit ModelParentAdded(modelId, p.modelId, p.kind, p.shareBps);
        }
        if (total > MAX_PARENT_BPS) revert ParentSharesTooLarge(total, MAX_PARENT_BPS);
        if (depth > MAX_LINEAGE_DEPTH) revert LineageTooDeep(depth, MAX_LINEAGE_DEPTH);
        // depth <= MAX_LINEAGE_DEPTH, checked just above
        // forge-lint: disable-next-line(unsafe-typecast)
        _depth[modelId] = uint8(depth);
    }

    function _checkContributor(uint256 i, Contributor calldata c) private view {
        if (c.account == address(0)) revert ZeroContributorAddress(i);
        if (c.role < ROLE_AUTHOR || c.role > ROLE_OTHER) revert InvalidRole(i, c.role);
        if (c.shareBps == 0) revert ZeroShare(i);
        if (c.role == ROLE_DATA) {
            address provider = _datasets[c.dataset].provider;
            if (provider == address(0)) revert UnknownDataset(i, c.dataset);
            if (provider != c.account) revert NotDatasetProvider(i, c.dataset, provider, c.account);
        } else if (c.dataset != bytes32(0)) {
            revert UnexpectedDataset(i, c.role, c.dataset);
        }
    }

    function _checkUri(string calldata uri) private pure {
        uint256 len = bytes(uri).length;
        if (len == 0) revert EmptyUri();
        if (len > MAX_URI_BYTES) revert UriTooLong(len, MAX_URI_BYTES);
    }

    function _sync(uint256 modelId) private {
        IModelTermsSink sink = hub;
        if (address(sink) == address(0)) return;
        Model storage m = _models[modelId];
        sink.syncModelTerms(modelId, m.sha256, m.feeWei, m.quorum, m.retired);
    }

    function _checkModelOwner(uint256 modelId) private view {
        address owner = _existing(modelId).owner;
        if (msg.sender != owner) revert NotModelOwner(modelId, msg.sender, owner);
    }

    function _existing(uint256 modelId) private view returns (Model storage m) {
        m = _models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
    }
}
