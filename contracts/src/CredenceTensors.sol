// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title CredenceTensors
/// @notice The canonical tensor encoding of Credence inputs and outputs: `abi.encode(Tensor[])`,
///         data little-endian and row-major. Decode with `abi.decode(output, (Tensor[]))`.
library CredenceTensors {
    uint8 internal constant FLOAT32 = 1;
    uint8 internal constant FLOAT64 = 2;
    uint8 internal constant INT32 = 3;
    uint8 internal constant INT64 = 4;
    uint8 internal constant UINT8 = 5;
    uint8 internal constant BOOL = 6;

    struct Tensor {
        string name;
        uint8 dtype;
        uint32[] shape;
        bytes data;
    }

    error NotFloat32(uint8 dtype);
    error EmptyTensor();

    /// @notice Decodes the canonical encoding.
    function decode(bytes memory encoded) internal pure returns (Tensor[] memory) {
        return abi.decode(encoded, (Tensor[]));
    }

    /// @notice The raw bits of float32 element `i` (little-endian in `data`).
    function float32Bits(Tensor memory t, uint256 i) internal pure returns (uint32 bits) {
        bytes memory d = t.data;
        uint256 o = i * 4;
        bits = uint32(uint8(d[o])) | (uint32(uint8(d[o + 1])) << 8) | (uint32(uint8(d[o + 2])) << 16)
            | (uint32(uint8(d[o + 3])) << 24);
    }

    /// @notice Index of the largest float32 element (NaNs aside), e.g. the predicted class.
    function argmaxFloat32(Tensor memory t) internal pure returns (uint256 best) {
        if (t.dtype != FLOAT32) revert NotFloat32(t.dtype);
        uint256 n = t.data.length / 4;
        if (n == 0) revert EmptyTensor();
        uint32 bestKey = _orderKey(float32Bits(t, 0));
        for (uint256 i = 1; i < n; ++i) {
            uint32 key = _orderKey(float32Bits(t, i));
            if (key > bestKey) {
                bestKey = key;
                best = i;
            }
        }
    }

    /// @dev Maps IEEE-754 bits to an unsigned key with the same order as the floats.
    function _orderKey(uint32 bits) private pure returns (uint32) {
        return bits & 0x80000000 != 0 ? ~bits : bits | 0x80000000;
    }
}
