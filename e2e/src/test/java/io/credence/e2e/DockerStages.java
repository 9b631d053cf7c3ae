package io.credence.e2e;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The repository's Dockerfile, read as an image builder reads it, to lay out each stage's file
 * system in an empty folder and run its entrypoint there without a Docker engine. Only the
 * instructions the runtime stages use are understood (FROM … AS, WORKDIR, COPY from the context,
 * from the build stage and from a here-document, RUN chmod, ENV, USER, EXPOSE, ENTRYPOINT);
 * anything else fails loudly, so the Dockerfile cannot grow a step this check silently skips.
 *
 * <p>Files the build stage made ({@code COPY --from=build /src/X}) are taken from X in this
 * checkout, which the Maven build has just built. Absolute paths of the image ({@code /app}, {@code
 * /models}, {@code /tmp}) and of the Compose volumes ({@code /deployments}) are mapped into the
 * folder in the entrypoint, the environment and copied scripts.
 */
final class DockerStages {
  private static final Pattern FROM =
      Pattern.compile("FROM\\s+(\\S+)(?:\\s+AS\\s+(\\S+))?", Pattern.CASE_INSENSITIVE);
  private static final Pattern HEREDOC = Pattern.compile("COPY\\s+<<'?(\\w+)'?\\s+(\\S+)");
  private static final Pattern ENV_PAIR = Pattern.compile("(\\w+)=(\"[^\"]*\"|\\S+)");

  /** One stage: the stage it builds on (null for an image) and its instructions. */
  private record Stage(String name, String base, List<String> instructions) {}

  private final Path repo;
  private final Map<String, Stage> stages = new LinkedHashMap<>();

  DockerStages(Path repo) throws IOException {
    this.repo = repo;
    parse(Files.readAllLines(repo.resolve("Dockerfile")));
  }

  List<String> stageNames() {
    return List.copyOf(stages.keySet());
  }

  /** A stage laid out in a folder: its entrypoint and environment with image paths mapped. */
  record Laid(Path root, List<String> entrypoint, Map<String, String> env, Path workdir) {}

  /**
   * Lays out {@code stage} (with the stages it builds on) under {@code root}.
   *
   * @param volumes the Compose volumes by mount point (e.g. /deployments), shared between stages
   */
  Laid lay(String stage, Path root, Map<String, Path> volumes) throws IOException {
    List<Stage> chain = new ArrayList<>();
    for (Stage s = stages.get(stage); s != null; s = stages.get(s.base())) {
      chain.addFirst(s);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the Dockerfile has no stage " + stage);
    }
    Files.createDirectories(root.resolve("tmp"));
    Map<String, String> env = new LinkedHashMap<>();
    List<String> entrypoint = List.of();
    String workdir = "/";
    for (Stage s : chain) {
      List<String> lines = s.instructions();
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String word = line.split("\\s+", 2)[0].toUpperCase();
        String rest = line.substring(word.length()).trim();
        Matcher heredoc = HEREDOC.matcher(line);
        if (heredoc.matches()) {
          StringBuilder body = new StringBuilder();
          while (!lines.get(++i).equals(heredoc.group(1))) {
            body.append(lines.get(i)).append('\n');
          }
          Path target = map(heredoc.group(2), root, volumes);
          Files.createDirectories(target.getParent());
          Files.writeString(target, mapPaths(body.toString(), root, volumes));
          continue;
        }
        switch (word) {
          case "WORKDIR" -> workdir = rest;
          case "USER", "EXPOSE" -> {}
          case "ENV" -> {
            Matcher m = ENV_PAIR.matcher(rest);
            while (m.find()) {
              env.put(m.group(1), mapPaths(m.group(2).replaceAll("^\"|\"$", ""), root, volumes));
            }
          }
          case "COPY" -> copy(rest, root, volumes);
          case "RUN" -> run(rest, root, volumes);
          case "ENTRYPOINT" -> {
            List<String> args = new ArrayList<>();
            for (var n : new ObjectMapper().readTree(rest)) {
              args.add(mapPaths(n.asText(), root, volumes));
            }
            entrypoint = args;
          }
          default ->
              throw new IllegalStateException(
                  "this check does not know how to run '"
                      + word
                      + "' in stage "
                      + s.name()
                      + ": "
                      + line);
        }
      }
    }
    return new Laid(root, entrypoint, env, map(workdir, root, volumes));
  }

  private void copy(String args, Path root, Map<String, Path> volumes) throws IOException {
    String[] parts = args.split("\\s+");
    if (parts.length == 3 && parts[0].equals("--from=build") && parts[1].startsWith("/src/")) {
      copyTree(repo.resolve(parts[1].substring("/src/".length())), map(parts[2], root, volumes));
    } else if (parts.length == 2 && !parts[0].startsWith("--")) {
      copyTree(repo.resolve(parts[0]), map(parts[1], root, volumes));
    } else {
      throw new IllegalStateException("this check does not know how to COPY " + args);
    }
  }

  private static void run(String command, Path root, Map<String, Path> volumes) throws IOException {
    if (command.startsWith("useradd ")) {
      return; // the user the process runs as: this check runs as the current user
    }
    Matcher chmod = Pattern.compile("chmod\\s+\\d+\\s+(\\S+)").matcher(command);
    if (chmod.matches()) {
      map(chmod.group(1), root, volumes).toFile().setExecutable(true);
      return;
    }
    throw new IllegalStateException("this check does not know how to RUN " + command);
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (!Files.exists(from)) {
      throw new IllegalStateException(
          from + " does not exist: build it first (./mvnw -DskipTests install)");
    }
    if (Files.isRegularFile(from)) {
      Files.createDirectories(to.getParent());
      Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
      return;
    }
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : files.toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(
              f, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** An absolute path of the image, in the folder (volumes in their shared folders). */
  static Path map(String imagePath, Path root, Map<String, Path> volumes) {
    for (var v : volumes.entrySet()) {
      if (imagePath.equals(v.getKey()) || imagePath.startsWith(v.getKey() + "/")) {
        return Path.of(v.getValue() + imagePath.substring(v.getKey().length()));
      }
    }
    return Path.of(root + imagePath);
  }

  /** Every absolute path under the image's top folders in {@code text}, mapped into the folder. */
  static String mapPaths(String text, Path root, Map<String, Path> volumes) {
    Matcher m =
        Pattern.compile("(?<=^|[\\s=:\"'])(/(?:app|models|tmp|deployments)(?:/[^\\s:\"';]*)?)")
            .matcher(text);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(map(m.group(1), root, volumes).toString()));
    }
    m.appendTail(out);
    return out.toString();
  }

  private void parse(List<String> raw) {
    List<String> lines = new ArrayList<>();
    StringBuilder pending = new StringBuilder();
    boolean inHeredoc = false;
    String heredocEnd = null;
    for (String line : raw) {
      if (inHeredoc) {
        lines.add(line);
        inHeredoc = !line.equals(heredocEnd);
        continue;
      }
      String t = line.strip();
      if (pending.isEmpty() && (t.isEmpty() || t.startsWith("#"))) {
        continue;
      }
      if (t.endsWith("\\")) {
        pending.append(t, 0, t.length() - 1).append(' ');
        continue;
      }
      String full = pending.append(t).toString().strip();
      pending.setLength(0);
      lines.add(full);
      Matcher heredoc = HEREDOC.matcher(full);
      if (heredoc.matches()) {
        inHeredoc = true;
        heredocEnd = heredoc.group(1);
      }
    }
    Stage current = null;
    for (String line : lines) {
      Matcher from = FROM.matcher(line);
      if (from.matches()) {
        String name = from.group(2) == null ? "stage" + stages.size() : from.group(2);
        current = new Stage(name, from.group(1), new ArrayList<>());
        stages.put(name, current);
      } else if (current != null) {
        current.instructions().add(line);
      }
    }
  }
}
