// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {InferenceHub} from "./InferenceHub.sol";
import {DisputeCourt} from "./DisputeCourt.sol";
import {SettlementRecords} from "./SettlementRecords.sol";

/// @title Feedback
/// @notice Requesters rate the answers they paid for: the requester of a settled request may
///         rate it once (a score of 1 to 5 and the hash of an optional comment) within the
///         feedback window after its settlement, and is paid a small rebate for it, `rebateBps`
///         of the request's fee, from the protocol's share: users whose feedback makes models
///         better are contributors too.
/// @dev    Settlement is proven as a challenge proves it: from the batch record the hub keeps
///         (SettlementRecords), with the request, its output hash and its signers, which the
///         rating's event then names, so that a model's and a worker's ratings can be summed
///         from events alone. Only a score is stored (to refuse a second rating); the comment
///         lives off-chain, its hash in the event.
contract Feedback is Ownable2Step, ReentrancyGuardTransient {
    uint256 private constant BPS = 10_000;
    uint8 public constant MIN_SCORE = 1;
    uint8 public constant MAX_SCORE = 5;
    /// @notice Upper bound on the rebate: a rating is worth at most this share of a fee.
    uint16 public constant MAX_REBATE_BPS = 1_000;
    /// @notice Shortest feedback window.
    uint64 public constant MIN_WINDOW = 1 hours;

    /// @notice How long after settlement a request can be rated, and its rebate.
    struct Terms {
        uint64 window;
        uint16 rebateBps;
    }

    InferenceHub public immutable hub;
    Terms private _terms;
    mapping(uint256 requestId => uint8) private _scores;

    event Rated(
        uint256 indexed requestId,
        uint256 indexed modelId,
        address indexed requester,
        uint8 score,
        bytes32 commentHash,
        address[] signers,
        uint256 rebate
    );
    event TermsSet(uint64 window, uint16 rebateBps);

    error ZeroAddress();
    error InvalidTerms(uint64 window, uint16 rebateBps);
    error InvalidScore(uint8 score);
    error NotRequester(uint256 requestId, address caller, address requester);
    error AlreadyRated(uint256 requestId, uint8 score);
    error FeedbackWindowClosed(uint256 requestId, uint256 closedAt);
    error LeafMismatch(uint256 batchId, uint256 index);
    error UnknownBatch(uint256 batchId);
    error BatchMismatch(uint256 batchId);

    constructor(address owner_, InferenceHub hub_, Terms memory terms_) Ownable(owner_) {
        if (address(hub_) == address(0)) revert ZeroAddress();
        hub = hub_;
        _setTerms(terms_);
    }

    /// @notice Rates a settled request, as its requester, once, within the feedback window; pays
    ///         the rebate from the protocol's share (as far as the share goes).
    /// @param batch the request's settlement batch, with every leaf hash
    /// @param index the request's position in the batch
    /// @param leaf the request as settled: its id, terms, output hash and signers
    /// @param score 1 (worst) to 5 (best)
    /// @param commentHash the hash of a comment kept elsewhere, or zero
    /// @return rebate what the requester was paid
    function rate(
        DisputeCourt.Batch calldata batch,
        uint256 index,
        DisputeCourt.Leaf calldata leaf,
        uint8 score,
        bytes32 commentHash
    ) external nonReentrant returns (uint256 rebate) {
        if (score < MIN_SCORE || score > MAX_SCORE) revert InvalidScore(score);
        address requester = leaf.request.requester;
        if (msg.sender != requester) revert NotRequester(leaf.requestId, msg.sender, requester);
        uint8 rated = _scores[leaf.requestId];
        if (rated != 0) revert AlreadyRated(leaf.requestId, rated);
        bytes32 commitment = SettlementRecords.commitment(keccak256(abi.encode(leaf.request)));
        if (
            index >= batch.leaves.length
                || batch.leaves[index]
                    != SettlementRecords.leaf(leaf.requestId, commitment, leaf.outputHash, leaf.signers)
        ) revert LeafMismatch(batch.batchId, index);
        bytes32 stored = hub.batchRecord(batch.batchId);
        if (stored == 0) revert UnknownBatch(batch.batchId);
        if (
            stored
                != SettlementRecords.record(
                    SettlementRecords.leavesHash(batch.leaves), batch.settledBlock, batch.settledAt
                )
        ) {
            revert BatchMismatch(batch.batchId);
        }
        Terms memory t = _terms;
        uint256 closesAt = uint256(batch.settledAt) + t.window;
        if (block.timestamp > closesAt) revert FeedbackWindowClosed(leaf.requestId, closesAt);
        _scores[leaf.requestId] = score;
        uint256 owed = leaf.request.fee * t.rebateBps / BPS;
        if (owed != 0) rebate = hub.payFromProtocol(requester, owed);
        emit Rated(leaf.requestId, leaf.request.modelId, requester, score, commentHash, leaf.signers, rebate);
    }

    /// @notice A request's score, 0 when not rated.
    function scoreOf(uint256 requestId) external view returns (uint8) {
        return _scores[requestId];
    }

    /// @notice The feedback window and the rebate.
    function terms() external view returns (Terms memory) {
        return _terms;
    }

    /// @notice Sets the feedback window (at least MIN_WINDOW) and the rebate (at most
    ///         MAX_REBATE_BPS; 0 disables it) for ratings from now on.
    function setTerms(Terms calldata terms_) external onlyOwner {
        _setTerms(terms_);
    }

    function _setTerms(Terms memory t) private {
        if (t.window < MIN_WINDOW || t.rebateBps > MAX_REBATE_BPS) revert InvalidTerms(t.window, t.rebateBps);
        _terms = t;
        emit TermsSet(t.window, t.rebateBps);
    }
}
