package io.credence.worker.jobs;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.credence.protocol.messages.ProtocolJson;
import io.credence.protocol.messages.ResultMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The signed result of every job, by scope (the hub, model and input) and requestId: a redelivered
 * job (after a crash or a rebalance) gets exactly the result signed the first time, so a worker
 * never signs two different answers for one request. Results are appended to {@code results.jsonl}
 * (one JSON line each, written before the result is sent) and indexed in memory; the log is read
 * back at start-up. A line cut short by a crash is cut off the file (its job was never answered, so
 * it is simply computed again). With {@code fsync}, every result is forced to disk before it is
 * sent, which also survives an operating-system crash; without, a process crash still loses
 * nothing.
 */
public class ResultStore implements AutoCloseable {
  private final ObjectMapper json = ProtocolJson.mapper();
  private final ObjectWriter lineWriter = json.writerFor(ResultMessage.class);
  private final Path log;
  private final FileChannel channel;
  private final Map<String, ResultMessage> index = new ConcurrentHashMap<>();
  private final boolean fsync;

  public ResultStore(Path dir) {
    this(dir, false);
  }

  public ResultStore(Path dir, boolean fsync) {
    this.fsync = fsync;
    try {
      Files.createDirectories(dir);
      this.log = dir.resolve("results.jsonl");
      long keep = 0;
      if (Files.exists(log)) {
        byte[] all = Files.readAllBytes(log);
        int end = all.length;
        while (end > 0 && all[end - 1] != '\n') {
          end--; // a torn last line: dropped, and cut off below
        }
        keep = end;
        for (String line : new String(all, 0, end, StandardCharsets.UTF_8).split("\n")) {
          readLine(line);
        }
      }
      this.channel = FileChannel.open(log, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      channel.truncate(keep);
      channel.position(keep);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot open the result log in " + dir + ": " + e.getMessage(), e);
    }
  }

  private void readLine(String line) {
    int tab = line.indexOf('\t');
    if (tab <= 0) {
      return;
    }
    try {
      index.put(
          line.substring(0, tab), json.readValue(line.substring(tab + 1), ResultMessage.class));
    } catch (IOException partial) {
      // the last line of a crashed run: that job is computed again
    }
  }

  public Optional<ResultMessage> get(String scope, long requestId) {
    return Optional.ofNullable(index.get(key(scope, requestId)));
  }

  /** Appends and indexes; on return the result is in the operating system's file cache. */
  public void put(String scope, ResultMessage result) {
    String key = key(scope, result.requestId());
    try {
      byte[] line =
          (key + "\t" + lineWriter.writeValueAsString(result) + "\n")
              .getBytes(StandardCharsets.UTF_8);
      synchronized (channel) {
        ByteBuffer b = ByteBuffer.wrap(line);
        while (b.hasRemaining()) {
          channel.write(b);
        }
        if (fsync) {
          channel.force(false);
        }
      }
      index.put(key, result);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot append to the result log " + log + ": " + e.getMessage(), e);
    }
  }

  private static String key(String scope, long requestId) {
    return scope.toLowerCase(Locale.ROOT) + "/" + requestId;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
