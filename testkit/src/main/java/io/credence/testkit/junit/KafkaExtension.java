package io.credence.testkit.junit;

import io.credence.devnet.node.KafkaBroker;
import io.credence.testkit.TestInfra;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link WithKafka}. */
public final class KafkaExtension implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(KafkaExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    KafkaBroker broker = TestInfra.kafka();
    String suffix =
        context.getRequiredTestClass().getSimpleName().toLowerCase(Locale.ROOT)
            + "-"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    context.getStore(NS).put("topics", new KafkaTopics(broker, suffix));
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    Class<?> type = p.getParameter().getType();
    return type == KafkaBroker.class || type == KafkaTopics.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    if (p.getParameter().getType() == KafkaBroker.class) {
      return TestInfra.kafka();
    }
    KafkaTopics topics = e.getStore(NS).get("topics", KafkaTopics.class);
    if (topics == null) {
      throw new IllegalStateException("KafkaTopics is per test class; it is not available here");
    }
    return topics;
  }
}
