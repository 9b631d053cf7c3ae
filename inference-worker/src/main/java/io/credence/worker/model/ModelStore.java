package io.credence.worker.model;

import io.credence.protocol.Hashes;
import io.credence.protocol.receipt.FailureReason;
import io.credence.worker.exec.JobFailure;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Arrays;

/**
 * Model files by content: fetched from their registry URI ({@code file:} inside the configured
 * root, {@code http:}, {@code https:}), checked against the registered SHA-256 and kept under
 * {@code <cache>/<sha256>.onnx}. A file whose bytes do not match is never kept and never run.
 */
public class ModelStore {
  private final Path cacheDir;
  private final Path fileRoot;
  private final long maxBytes;
  private final Duration timeout;
  private final HttpClient http;

  public ModelStore(Path cacheDir, Path fileRoot, long maxBytes, Duration timeout) {
    this.cacheDir = cacheDir.toAbsolutePath().normalize();
    this.fileRoot = fileRoot.toAbsolutePath().normalize();
    this.maxBytes = maxBytes;
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
    try {
      Files.createDirectories(this.cacheDir);
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot create the model cache " + this.cacheDir + ": " + e.getMessage(), e);
    }
  }

  public Path cacheDir() {
    return cacheDir;
  }

  /** True when the cache directory is usable (readiness). */
  public boolean writable() {
    return Files.isDirectory(cacheDir) && Files.isWritable(cacheDir);
  }

  /**
   * The local file of the model registered with {@code sha256}, fetching it from {@code uri} when
   * not cached.
   *
   * @throws JobFailure MODEL_UNAVAILABLE when it cannot be fetched, MODEL_HASH_MISMATCH when the
   *     bytes are not the registered ones
   */
  public Path fetch(String uri, byte[] sha256) throws JobFailure {
    Path cached = cacheDir.resolve(Hashes.hex(sha256).substring(2) + ".onnx");
    if (Files.isRegularFile(cached)) {
      return cached;
    }
    Path part = null;
    try {
      part = Files.createTempFile(cacheDir, "fetch-", ".part");
      download(uri, part);
      byte[] actual = Hashes.sha256(part);
      if (!Arrays.equals(actual, sha256)) {
        throw new JobFailure(
            FailureReason.MODEL_HASH_MISMATCH,
            "model at "
                + uri
                + " has SHA-256 "
                + Hashes.hex(actual)
                + ", registered "
                + Hashes.hex(sha256));
      }
      Files.move(part, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return cached;
    } catch (IOException e) {
      throw new JobFailure(
          FailureReason.MODEL_UNAVAILABLE, "cannot fetch model " + uri + ": " + e.getMessage(), e);
    } finally {
      if (part != null) {
        try {
          Files.deleteIfExists(part);
        } catch (IOException ignored) {
          // a leftover .part file is harmless; the next fetch writes a new one
        }
      }
    }
  }

  private void download(String uri, Path to) throws IOException, JobFailure {
    URI u;
    try {
      u = URI.create(uri);
    } catch (IllegalArgumentException e) {
      throw new JobFailure(FailureReason.MODEL_UNAVAILABLE, "model URI is not a URI: " + uri);
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(java.util.Locale.ROOT);
    switch (scheme) {
      case "file" -> copyLimited(Files.newInputStream(localFile(u, uri)), to, uri);
      case "http", "https" -> {
        HttpRequest request = HttpRequest.newBuilder(u).timeout(timeout).GET().build();
        HttpResponse<InputStream> response;
        try {
          response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted", e);
        }
        if (response.statusCode() != 200) {
          response.body().close();
          throw new JobFailure(
              FailureReason.MODEL_UNAVAILABLE,
              "model " + uri + " answered HTTP " + response.statusCode());
        }
        copyLimited(response.body(), to, uri);
      }
      default ->
          throw new JobFailure(
              FailureReason.MODEL_UNAVAILABLE,
              "unsupported model URI scheme '" + scheme + "': " + uri);
    }
  }

  /** {@code file:} URIs resolve against the file root and must stay inside it. */
  private Path localFile(URI u, String uri) throws JobFailure {
    String path = u.getSchemeSpecificPart();
    if (path.startsWith("//")) {
      path = path.substring(2);
    }
    Path p = (Path.of(path).isAbsolute() ? Path.of(path) : fileRoot.resolve(path)).normalize();
    if (!p.startsWith(fileRoot)) {
      throw new JobFailure(
          FailureReason.MODEL_UNAVAILABLE, "model " + uri + " is outside the worker's file root");
    }
    if (!Files.isRegularFile(p)) {
      throw new JobFailure(FailureReason.MODEL_UNAVAILABLE, "no model file at " + uri);
    }
    return p;
  }

  private void copyLimited(InputStream in, Path to, String uri) throws IOException, JobFailure {
    try (in;
        OutputStream out = Files.newOutputStream(to)) {
      byte[] buf = new byte[1 << 16];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        total += n;
        if (total > maxBytes) {
          throw new JobFailure(
              FailureReason.MODEL_UNAVAILABLE,
              "model " + uri + " is larger than " + maxBytes + " bytes");
        }
        out.write(buf, 0, n);
      }
    }
  }
}
