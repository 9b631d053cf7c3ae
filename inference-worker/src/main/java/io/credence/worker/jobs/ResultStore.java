package io.credence.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The signed result of every job, by requestId, on disk: a redelivered job (after a crash or a
 * rebalance) gets exactly the result signed the first time, so a worker never signs two
 * different answers for one request.
 */
public class ResultStore {
  private final Path dir;
  private final ObjectMapper json = ProtocolJson.mapper();

  public ResultStore(Path dir) {
    this.dir = dir;
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the results directory " + dir, e);
    }
  }

  public Optional<ResultMessage> get(String hub, long requestId) {
    Path f = file(hub, requestId);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(json.readValue(f.toFile(), ResultMessage.class));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read stored result " + f, e);
    }
  }

  /** Stores atomically; written before the result is sent. */
  public void put(String hub, ResultMessage result) {
    Path f = file(hub, result.requestId());
    try {
      Files.createDirectories(f.getParent());
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      json.writeValue(tmp.toFile(), result);
      Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store result " + f, e);
    }
  }

  private Path file(String hub, long requestId) {
    return dir.resolve(hub.toLowerCase(java.util.Locale.ROOT)).resolve(requestId + ".json");
  }
}
