package io.credence.relayer.dispatch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

/**
 * Chooses partitions of the jobs topic so that the copies of a quorum job reach different workers.
 * One consumer group delivers a message to one member, so the relayer asks Kafka which member owns
 * which partitions of the topic and sends each copy to a partition of another member. The
 * assignment is re-read every few seconds; a copy that still lands on a worker that already
 * answered (a rebalance in between) is answered from that worker's result log, and the missing
 * signature comes with the next dispatch, which starts from another member.
 */
final class WorkerPartitions {
  private static final Logger LOG = Logger.getLogger(WorkerPartitions.class);
  private static final long REFRESH_NANOS = Duration.ofSeconds(3).toNanos();

  private final Admin admin;
  private final String topic;
  private final String group;
  private List<List<Integer>> members = List.of();
  private int partitionCount = 1;
  private long readAt;

  WorkerPartitions(Admin admin, String topic, String group) {
    this.admin = admin;
    this.topic = topic;
    this.group = group;
  }

  /**
   * Partitions for the {@code quorum} copies of a job: one per worker where enough workers are in
   * the group, rotating with the request and attempt so that a re-dispatch asks other workers.
   */
  synchronized List<Integer> choose(long requestId, int quorum, int attempt) {
    refresh();
    Set<Integer> chosen = new LinkedHashSet<>();
    int n = members.size();
    for (int i = 0; i < Math.min(quorum, n); i++) {
      List<Integer> owned = members.get((int) Math.floorMod(requestId + attempt + i, (long) n));
      chosen.add(owned.get((int) Math.floorMod(requestId, (long) owned.size())));
    }
    if (chosen.size() < quorum) {
      LOG.warnf(
          "request %d needs %d workers but group %s has %d on %s; copies go to distinct partitions and wait for more workers",
          requestId, quorum, group, n, topic);
      for (int p = 0; chosen.size() < quorum && p < partitionCount; p++) {
        chosen.add((int) Math.floorMod(requestId + attempt + p, (long) partitionCount));
      }
    }
    return new ArrayList<>(chosen);
  }

  private void refresh() {
    if (readAt != 0 && System.nanoTime() - readAt < REFRESH_NANOS) {
      return;
    }
    readAt = System.nanoTime();
    try {
      partitionCount =
          admin
              .describeTopics(List.of(topic))
              .allTopicNames()
              .get(5, TimeUnit.SECONDS)
              .get(topic)
              .partitions()
              .size();
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(List.of(group)).all().get(5, TimeUnit.SECONDS).get(group);
      List<List<Integer>> owned = new ArrayList<>();
      d.members().stream()
          .sorted(Comparator.comparing(MemberDescription::consumerId))
          .forEach(m -> {
            List<Integer> parts =
                m.assignment().topicPartitions().stream()
                    .filter(tp -> tp.topic().equals(topic))
                    .map(TopicPartition::partition)
                    .sorted()
                    .toList();
            if (!parts.isEmpty()) {
              owned.add(parts);
            }
          });
      members = owned;
    } catch (Exception e) {
      LOG.debugf("cannot read the assignment of group %s: %s", group, e.getMessage());
      members = List.of();
    }
  }
}
