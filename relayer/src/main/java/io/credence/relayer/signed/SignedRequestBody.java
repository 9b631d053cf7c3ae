package io.credence.relayer.signed;

import io.credence.protocol.receipt.InferenceRequest;
import java.math.BigInteger;
import org.web3j.utils.Numeric;

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

  /** The signed fields, checked; a malformed one is a 400. */
  static InferenceRequest parse(SignedRequestBody body) {
    if (body == null || body.request() == null) {
      throw new Refused(
          400, "expected {\"request\": {...}, \"input\": \"0x…\", \"signature\": \"0x…\"}");
    }
    SignedRequestBody.Message m = body.request();
    try {
      return new InferenceRequest(
          m.requester(),
          uint(m.modelId(), "modelId"),
          hex(m.inputHash(), "inputHash"),
          uint(m.fee(), "fee"),
          uint(m.gasAllowance(), "gasAllowance"),
          uint(m.maxFeePerGas(), "maxFeePerGas"),
          uint(m.deadline(), "deadline").longValueExact(),
          m.callback() == null ? InferenceRequest.NO_CALLBACK : m.callback(),
          m.callbackGas() == null ? 0 : uint(m.callbackGas(), "callbackGas").longValueExact(),
          uint(m.nonce(), "nonce"));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new Refused(400, "request: " + e.getMessage());
    }
  }

  private static BigInteger uint(String v, String field) {
    if (v == null) {
      throw new Refused(400, "request." + field + " is missing");
    }
    try {
      BigInteger n = v.startsWith("0x") ? Numeric.toBigInt(v) : new BigInteger(v);
      if (n.signum() < 0 || n.bitLength() > 256) {
        throw new NumberFormatException();
      }
      return n;
    } catch (NumberFormatException e) {
      throw new Refused(400, "request." + field + " is not a uint256: '" + v + "'");
    }
  }

  static byte[] hex(String v, String field) {
    if (v == null || !v.matches("0x([0-9a-fA-F]{2})*")) {
      throw new Refused(400, field + " must be 0x-prefixed hex bytes");
    }
    return Numeric.hexStringToByteArray(v);
  }
}
