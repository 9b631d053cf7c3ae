package io.credence.protocol.receipt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.credence.protocol.Hashes;
import java.math.BigInteger;
import java.security.SignatureException;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.StructuredDataEncoder;

/** Credence's EIP-712 hashing, checked against web3j's independent typed-data encoder. */
class Eip712Test {
  private static final String HUB = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
  private static final byte[] MODEL = Hashes.keccak256("model".getBytes());
  private static final byte[] INPUT = Hashes.keccak256("input".getBytes());
  private static final byte[] OUTPUT = Hashes.keccak256("output".getBytes());
  private static final Credentials WORKER =
      Credentials.create("0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318");

  private static byte[] web3jDigest(String primaryType, String typeFields, String message)
      throws Exception {
    String json =
        """
        {"types": {
           "EIP712Domain": [{"name":"name","type":"string"},{"name":"version","type":"string"},
                            {"name":"chainId","type":"uint256"},{"name":"verifyingContract","type":"address"}],
           "%s": %s},
         "primaryType": "%s",
         "domain": {"name":"Credence","version":"1","chainId":31337,"verifyingContract":"%s"},
         "message": %s}
        """
            .formatted(primaryType, typeFields, primaryType, HUB, message);
    return new StructuredDataEncoder(json).hashStructuredData();
  }

  @Test
  void receiptDigestMatchesTheTypedDataStandard() throws Exception {
    InferenceReceipt receipt =
        new InferenceReceipt(BigInteger.valueOf(42), MODEL, INPUT, OUTPUT, 1_790_000_000L);
    byte[] expected =
        web3jDigest(
            "InferenceReceipt",
            """
            [{"name":"requestId","type":"uint256"},{"name":"modelHash","type":"bytes32"},
             {"name":"inputHash","type":"bytes32"},{"name":"outputHash","type":"bytes32"},
             {"name":"executedAt","type":"uint64"}]\
            """,
            """
            {"requestId":42,"modelHash":"%s","inputHash":"%s","outputHash":"%s","executedAt":1790000000}\
            """
                .formatted(Hashes.hex(MODEL), Hashes.hex(INPUT), Hashes.hex(OUTPUT)));
    assertThat(receipt.digest(Eip712Domain.credence(31337, HUB))).isEqualTo(expected);
  }

  @Test
  void failureDigestMatchesTheTypedDataStandard() throws Exception {
    InferenceFailure failure =
        InferenceFailure.of(
            BigInteger.valueOf(7),
            MODEL,
            INPUT,
            FailureReason.INPUT_MISMATCH,
            "shape [1,5], expected [1,4]");
    byte[] expected =
        web3jDigest(
            "InferenceFailure",
            """
            [{"name":"requestId","type":"uint256"},{"name":"modelHash","type":"bytes32"},
             {"name":"inputHash","type":"bytes32"},{"name":"reason","type":"uint16"},
             {"name":"detailHash","type":"bytes32"}]\
            """,
            """
            {"requestId":7,"modelHash":"%s","inputHash":"%s","reason":2,"detailHash":"%s"}\
            """
                .formatted(Hashes.hex(MODEL), Hashes.hex(INPUT), Hashes.hex(failure.detailHash())));
    assertThat(failure.digest(Eip712Domain.credence(31337, HUB))).isEqualTo(expected);
  }

  @Test
  void aDigestIsBoundToOneChainAndOneHub() {
    InferenceReceipt r = new InferenceReceipt(BigInteger.ONE, MODEL, INPUT, OUTPUT, 1);
    byte[] here = r.digest(Eip712Domain.credence(31337, HUB));
    assertThat(r.digest(Eip712Domain.credence(1, HUB))).isNotEqualTo(here);
    assertThat(r.digest(Eip712Domain.credence(31337, "0x0000000000000000000000000000000000000001")))
        .isNotEqualTo(here);
  }

  @Test
  void signsDeterministicallyAndRecovers() throws Exception {
    ReceiptSigner signer = new ReceiptSigner(WORKER);
    InferenceReceipt r =
        new InferenceReceipt(BigInteger.valueOf(42), MODEL, INPUT, OUTPUT, 1_790_000_000L);
    byte[] digest = r.digest(Eip712Domain.credence(31337, HUB));
    byte[] sig = signer.sign(digest);
    assertThat(sig).hasSize(65);
    assertThat(sig[64]).isIn((byte) 27, (byte) 28);
    assertThat(signer.sign(digest)).isEqualTo(sig); // RFC 6979
    assertThat(ReceiptSigner.recover(digest, sig)).isEqualTo(signer.address());
    assertThat(signer.toString()).doesNotContain("4c0883a6").contains(signer.address());
  }

  @Test
  void signaturesAreByteForByteWeb3jsSignMessage() throws Exception {
    java.util.SplittableRandom random = new java.util.SplittableRandom(7);
    for (int i = 0; i < 300; i++) {
      byte[] keyBytes = new byte[32];
      byte[] digest = new byte[32];
      for (int b = 0; b < 32; b++) {
        keyBytes[b] = (byte) random.nextInt();
        digest[b] = (byte) random.nextInt();
      }
      Credentials key =
          Credentials.create(
              org.web3j.crypto.ECKeyPair.create(
                  new BigInteger(1, keyBytes).mod(BigInteger.TWO.pow(255)).add(BigInteger.ONE)));
      org.web3j.crypto.Sign.SignatureData web3j =
          org.web3j.crypto.Sign.signMessage(digest, key.getEcKeyPair(), false);
      byte[] ours = new ReceiptSigner(key).sign(digest);
      assertThat(java.util.Arrays.copyOfRange(ours, 0, 32)).as("r #%d", i).isEqualTo(web3j.getR());
      assertThat(java.util.Arrays.copyOfRange(ours, 32, 64)).as("s #%d", i).isEqualTo(web3j.getS());
      assertThat(ours[64]).as("v #%d", i).isEqualTo(web3j.getV()[0]);
      assertThat(ReceiptSigner.recover(digest, ours)).isEqualTo(key.getAddress());
    }
  }

  @Test
  void rejectsMalformedAndMalleableSignatures() {
    ReceiptSigner signer = new ReceiptSigner(WORKER);
    byte[] digest = Hashes.keccak256(new byte[] {1});
    byte[] sig = signer.sign(digest);
    byte[] badV = sig.clone();
    badV[64] = 1;
    assertThatThrownBy(() -> ReceiptSigner.recover(digest, badV))
        .isInstanceOf(SignatureException.class);
    // (r, n - s, v ^ 1) is the malleable twin: valid for plain ecrecover, refused here and by the
    // hub
    BigInteger n =
        new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    byte[] twin = sig.clone();
    byte[] highS =
        org.web3j.utils.Numeric.toBytesPadded(
            n.subtract(new BigInteger(1, java.util.Arrays.copyOfRange(sig, 32, 64))), 32);
    System.arraycopy(highS, 0, twin, 32, 32);
    twin[64] = (byte) (sig[64] == 27 ? 28 : 27);
    assertThatThrownBy(() -> ReceiptSigner.recover(digest, twin)).hasMessageContaining("malleable");
    assertThatThrownBy(() -> ReceiptSigner.recover(digest, new byte[64]))
        .isInstanceOf(SignatureException.class);
  }

  @Test
  void workerKeyProofUsesTheRegistryDomain() throws Exception {
    ReceiptSigner key = new ReceiptSigner(WORKER);
    Eip712Domain domain = Eip712Domain.workerRegistry(31337, HUB);
    String operator = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8";
    byte[] proof = WorkerKeyProof.sign(key, domain, operator);
    assertThat(ReceiptSigner.recover(WorkerKeyProof.digest(domain, operator), proof))
        .isEqualTo(key.address());
    assertThat(WorkerKeyProof.digest(domain, operator))
        .isNotEqualTo(WorkerKeyProof.digest(domain, "0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc"));
  }

  @Test
  void valuesAreChecked() {
    assertThatThrownBy(() -> new InferenceReceipt(BigInteger.ONE, new byte[31], INPUT, OUTPUT, 1))
        .hasMessageContaining("modelHash must be 32 bytes");
    assertThatThrownBy(() -> Eip712Domain.credence(1, "0x1234"))
        .hasMessageContaining("not an address");
    assertThat(FailureReason.ofCode(5)).isEqualTo(FailureReason.MODEL_HASH_MISMATCH);
    assertThatThrownBy(() -> FailureReason.ofCode(0))
        .hasMessageContaining("unknown failure reason 0");
  }
}
