package io.credence.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.credence.devnet.node.KafkaBroker;
import io.credence.testkit.junit.KafkaTopics;
import io.credence.testkit.junit.WithKafka;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

@WithKafka
class KafkaBrokerIT {

  @Test
  void aRecordGoesThroughTheBroker(KafkaTopics topics) throws Exception {
    String topic = topics.create("credence.jobs.v1", 3);
    Map<String, Object> producerConfig =
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            topics.bootstrapServers(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            StringSerializer.class);
    RecordMetadata sent;
    try (var producer = new KafkaProducer<String, String>(producerConfig)) {
      sent = producer.send(new ProducerRecord<>(topic, "model-1", "{\"requestId\":1}")).get();
    }
    assertThat(sent.offset()).isGreaterThanOrEqualTo(0);

    Map<String, Object> consumerConfig =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            topics.bootstrapServers(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "testkit-it",
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest",
            ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class,
            ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
            StringDeserializer.class);
    List<ConsumerRecord<String, String>> received = new ArrayList<>();
    try (var consumer = new KafkaConsumer<String, String>(consumerConfig)) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (received.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(500)).forEach(received::add);
      }
    }
    assertThat(received).hasSize(1);
    assertThat(received.get(0).key()).isEqualTo("model-1");
    assertThat(received.get(0).value()).isEqualTo("{\"requestId\":1}");
    assertThat(received.get(0).partition()).isEqualTo(sent.partition());
  }

  @Test
  void topicNamesArePrivateToTheClass(KafkaTopics topics, KafkaBroker broker) throws Exception {
    String name = topics.create("credence.results.v1", 1);
    assertThat(name).startsWith("credence.results.v1.kafkabrokerit-");
    try (var admin = broker.admin(Duration.ofSeconds(10))) {
      Set<String> all = admin.listTopics().names().get();
      assertThat(all).contains(name);
    }
  }
}
