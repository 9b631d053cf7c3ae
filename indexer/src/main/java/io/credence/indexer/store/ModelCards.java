package io.credence.indexer.store;

import io.credence.indexer.IndexerConfig;
import io.credence.protocol.model.ModelCard;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The model cards the explorer labels tensors with, read once per model URI and kept: a card is the
 * JSON next to a {@code file:} model ({@code .onnx} → {@code .json}), a relative path resolved
 * against {@code credence.indexer.model-files} ({@link ModelCard#cardPath}). A model without a card
 * (another URI scheme, no file) or with an unreadable one is shown unlabelled; a card added later
 * is seen after a restart.
 */
@ApplicationScoped
public class ModelCards {
  private static final Logger LOG = Logger.getLogger(ModelCards.class);

  private final Map<String, ModelCard> cards = new ConcurrentHashMap<>();
  private final Path root;

  @Inject
  public ModelCards(IndexerConfig config) {
    this(Path.of(config.modelFiles()));
  }

  public ModelCards(Path root) {
    this.root = root.toAbsolutePath().normalize();
  }

  /** The card of the model at {@code modelUri}, or {@link ModelCard#NONE}. */
  public ModelCard of(String modelUri) {
    return cards.computeIfAbsent(modelUri, this::read);
  }

  private ModelCard read(String modelUri) {
    Optional<Path> file = ModelCard.cardPath(modelUri, root);
    if (file.isEmpty()) {
      return ModelCard.NONE;
    }
    try {
      return ModelCard.read(file.get()).orElse(ModelCard.NONE);
    } catch (IOException | IllegalArgumentException e) {
      LOG.warnf(
          "the model card %s of %s cannot be read (%s); its tensors are shown unlabelled",
          file.get(), modelUri, e.getMessage());
      return ModelCard.NONE;
    }
  }
}
