package io.credence.testkit.junit;

import io.credence.devnet.node.AnvilNode;
import io.credence.testkit.TestInfra;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link WithAnvil}. */
public final class AnvilExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(AnvilExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    context.getStore(NS).put("snapshot", TestInfra.anvil().snapshot());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    String snapshot = context.getStore(NS).remove("snapshot", String.class);
    if (snapshot != null) {
      TestInfra.anvil().revert(snapshot);
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == AnvilNode.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    return TestInfra.anvil();
  }
}
