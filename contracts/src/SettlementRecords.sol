// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title SettlementRecords
/// @notice What a settlement batch leaves behind, so that a later challenge or audit can prove
///         what was settled: one leaf per settled receipt, and one record per batch.
/// @dev    The hub keeps one storage slot per pending request: its commitment. When a batch
///         settles, the slot of the batch's first settled request (the batch's id) keeps the
///         batch's record instead of being cleared, so a batch costs no new slot. Commitments
///         have their top bit clear and records their top bit set, so a slot tells which it is.
///
///         leaf    = keccak256(abi.encode(requestId, commitment, outputHash, keccak256(abi.encodePacked(signers))))
///         leaves  = keccak256(abi.encodePacked(leaf_0, ..., leaf_n-1))   (settlement order)
///         record  = keccak256(abi.encode(leaves, settledBlock, settledAt)) | 1 << 255
library SettlementRecords {
    /// @dev Set in records, clear in commitments.
    uint256 internal constant RECORD_FLAG = 1 << 255;

    /// @notice A request's commitment from keccak256(abi.encode(request)): the top bit cleared.
    function commitment(bytes32 requestHash) internal pure returns (bytes32) {
        return bytes32(uint256(requestHash) & ~RECORD_FLAG);
    }

    /// @notice True when a stored slot holds a batch record rather than a pending commitment.
    function isRecord(bytes32 slot) internal pure returns (bool) {
        return uint256(slot) & RECORD_FLAG != 0;
    }

    /// @notice One settled receipt's leaf. `signers` ascending, as in the receipt.
    /// @dev    Hashes in place (free memory, not reserved): settlement computes one per receipt.
    ///         keccak256(abi.encodePacked(address[])) is the hash of the array's 32-byte words.
    function leaf(uint256 requestId, bytes32 requestCommitment, bytes32 outputHash, address[] memory signers)
        internal
        pure
        returns (bytes32 h)
    {
        assembly ("memory-safe") {
            let signersHash := keccak256(add(signers, 0x20), shl(5, mload(signers)))
            let p := mload(0x40)
            mstore(p, requestId)
            mstore(add(p, 0x20), requestCommitment)
            mstore(add(p, 0x40), outputHash)
            mstore(add(p, 0x60), signersHash)
            h := keccak256(p, 0x80)
        }
    }

    /// @notice The hash of a batch's leaves, in settlement order: keccak256(abi.encodePacked(leaves)).
    function leavesHash(bytes32[] memory leaves) internal pure returns (bytes32 h) {
        assembly ("memory-safe") {
            h := keccak256(add(leaves, 0x20), shl(5, mload(leaves)))
        }
    }

    /// @notice A batch's record: its leaves, the block it settled in and that block's time.
    function record(bytes32 leaves, uint64 settledBlock, uint64 settledAt) internal pure returns (bytes32 r) {
        assembly ("memory-safe") {
            let p := mload(0x40)
            mstore(p, leaves)
            mstore(add(p, 0x20), settledBlock)
            mstore(add(p, 0x40), settledAt)
            r := or(keccak256(p, 0x60), shl(255, 1))
        }
    }
}
