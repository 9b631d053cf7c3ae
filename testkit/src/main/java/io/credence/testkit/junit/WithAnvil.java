package io.credence.testkit.junit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The test class gets the run's anvil node ({@link io.credence.devnet.node.AnvilNode} parameters).
 * The chain is snapshotted before the class and reverted after it, so classes do not see each
 * other's transactions.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(AnvilExtension.class)
public @interface WithAnvil {}
