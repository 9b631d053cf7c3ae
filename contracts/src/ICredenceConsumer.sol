// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @title ICredenceConsumer
/// @notice Implemented by contracts that ask the InferenceHub for inferences with a callback.
///         The hub calls these with at most the gas the request named; a revert or running out
///         of gas never undoes the settlement or the refund. Check that `msg.sender` is the hub.
interface ICredenceConsumer {
    /// @notice A request settled. `output` is the canonical tensor encoding (ABI `Tensor[]`, see
    ///         CredenceTensors) whose keccak256 the workers signed.
    function onInferenceResult(uint256 requestId, bytes calldata output) external;

    /// @notice A request was refunded: the fee is claimable by the requester in the RewardVault.
    /// @param reason the workers' failure reason, or 0 when the request expired
    function onInferenceRefund(uint256 requestId, uint16 reason) external;
}
