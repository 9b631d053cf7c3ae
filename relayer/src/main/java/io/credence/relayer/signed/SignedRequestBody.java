package io.credence.relayer.signed;

/**
 * What {@code POST /v1/requests} takes: the EIP-712 {@code InferenceRequest} message as a wallet
 * signs it ({@code eth_signTypedData_v4}: uint256 fields as decimal strings, bytes as 0x-hex), the
 * input whose keccak256 is {@code inputHash}, and the 65-byte signature (or an ERC-1271 wallet's).
 */
public record SignedRequestBody(Message request, String input, String signature) {
  /** The signed fields, named as in the EIP-712 type. */
  public record Message(
      String requester,
      String modelId,
      String inputHash,
      String fee,
      String gasAllowance,
      String maxFeePerGas,
      String deadline,
      String callback,
      String callbackGas,
      String nonce) {}
}
