package io.credence.indexer;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The indexer's layers as a test: resources ({@code api}) translate HTTP and call store classes;
 * ingestion ({@code ingest}) turns logs into rows through its store; only store classes ({@code
 * store}) run SQL or touch the Panache entities ({@code model}).
 */
@AnalyzeClasses(
    packages = "io.credence.indexer",
    importOptions = ImportOption.DoNotIncludeTests.class)
class IndexerArchitectureTest {
  /**
   * What running SQL takes: JDBC statements and results, PostgreSQL's COPY API, the protocol's JDBC
   * helper.
   */
  private static final String[] SQL_PACKAGES = {"org.postgresql..", "io.credence.protocol.store.."};

  private static final ArchRule THE_API_DOES_NOT_REACH_INGESTION =
      noClasses()
          .that()
          .resideInAPackage("..indexer.api..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("..indexer.ingest..");

  private static final ArchRule INGESTION_DOES_NOT_REACH_THE_API =
      noClasses()
          .that()
          .resideInAPackage("..indexer.ingest..")
          .should()
          .dependOnClassesThat()
          .resideInAPackage("..indexer.api..");

  private static final ArchRule STORES_DEPEND_ON_NEITHER_THE_API_NOR_INGESTION =
      noClasses()
          .that()
          .resideInAPackage("..indexer.store..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("..indexer.api..", "..indexer.ingest..");

  /**
   * Only store classes run SQL. Indexing owns each step's transaction (Jdbc.tx), in which the
   * ingested rows and the checkpoint (protocol's JdbcCheckpoints) commit together, and the
   * Follower's readiness reads the position; neither writes SQL of its own.
   */
  private static final ArchRule ONLY_STORE_CLASSES_RUN_SQL =
      noClasses()
          .that()
          .resideOutsideOfPackage("..indexer.store..")
          .and()
          .doNotBelongToAnyOf(Indexing.class, Follower.class)
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage(SQL_PACKAGES)
          .orShould()
          .dependOnClassesThat()
          .belongToAnyOf(
              java.sql.Statement.class, java.sql.PreparedStatement.class, java.sql.ResultSet.class);

  private static final ArchRule ONLY_STORE_CLASSES_READ_THE_ENTITIES =
      classes()
          .that()
          .resideInAPackage("..indexer.model..")
          .should()
          .onlyHaveDependentClassesThat()
          .resideInAnyPackage("..indexer.model..", "..indexer.store..");

  private static final ArchRule RESOURCES_HOLD_NO_DATA_SOURCE =
      noClasses()
          .that()
          .resideInAPackage("..indexer.api..")
          .should()
          .dependOnClassesThat()
          .haveFullyQualifiedName("javax.sql.DataSource");

  // Rules as methods, not fields: Surefire's -Dtest filter keeps only tests with a method source.

  @ArchTest
  static void theApiDoesNotReachIngestion(JavaClasses indexer) {
    THE_API_DOES_NOT_REACH_INGESTION.check(indexer);
  }

  @ArchTest
  static void ingestionDoesNotReachTheApi(JavaClasses indexer) {
    INGESTION_DOES_NOT_REACH_THE_API.check(indexer);
  }

  @ArchTest
  static void storesDependOnNeitherTheApiNorIngestion(JavaClasses indexer) {
    STORES_DEPEND_ON_NEITHER_THE_API_NOR_INGESTION.check(indexer);
  }

  @ArchTest
  static void onlyStoreClassesRunSql(JavaClasses indexer) {
    ONLY_STORE_CLASSES_RUN_SQL.check(indexer);
  }

  @ArchTest
  static void onlyStoreClassesReadTheEntities(JavaClasses indexer) {
    ONLY_STORE_CLASSES_READ_THE_ENTITIES.check(indexer);
  }

  @ArchTest
  static void resourcesHoldNoDataSource(JavaClasses indexer) {
    RESOURCES_HOLD_NO_DATA_SOURCE.check(indexer);
  }
}
