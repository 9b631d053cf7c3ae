package io.credence.testkit.junit;

import io.credence.testkit.PostgresDatabase;
import io.credence.testkit.TestInfra;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/** See {@link WithPostgres}. */
public final class PostgresExtension
    implements BeforeAllCallback, AfterAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NS =
      ExtensionContext.Namespace.create(PostgresExtension.class);

  @Override
  public void beforeAll(ExtensionContext context) throws SQLException {
    PostgresDatabase run = TestInfra.postgres();
    String cls =
        context
            .getRequiredTestClass()
            .getSimpleName()
            .toLowerCase(Locale.ROOT)
            .replaceAll("[^a-z0-9]", "");
    String schema =
        "t_"
            + cls.substring(0, Math.min(cls.length(), 40))
            + "_"
            + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    try (Connection c = run.connect()) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    }
    context.getStore(NS).put("db", run.withSchema(schema));
  }

  @Override
  public void afterAll(ExtensionContext context) throws SQLException {
    PostgresDatabase db = context.getStore(NS).remove("db", PostgresDatabase.class);
    if (db != null) {
      try (Connection c = TestInfra.postgres().connect()) {
        c.createStatement().execute("DROP SCHEMA IF EXISTS " + db.schema() + " CASCADE");
      }
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext p, ExtensionContext e) {
    return p.getParameter().getType() == PostgresDatabase.class;
  }

  @Override
  public Object resolveParameter(ParameterContext p, ExtensionContext e) {
    PostgresDatabase db = e.getStore(NS).get("db", PostgresDatabase.class);
    if (db == null) {
      throw new IllegalStateException("the per-class PostgreSQL schema is not available here");
    }
    return db;
  }
}
