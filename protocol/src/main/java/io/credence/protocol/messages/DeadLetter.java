package io.credence.protocol.messages;

/**
 * A message a consumer could not process, sent to {@code <topic>.dlq} with why.
 *
 * @param topic where the message came from
 * @param partition its partition
 * @param offset its offset
 * @param key its key, as text
 * @param value its value, as text (or base64 when not UTF-8)
 * @param error what was wrong with it
 * @param consumer which consumer gave up on it
 * @param at unix milliseconds
 */
public record DeadLetter(
    String topic, int partition, long offset, String key, String value, String error, String consumer, long at) {}
