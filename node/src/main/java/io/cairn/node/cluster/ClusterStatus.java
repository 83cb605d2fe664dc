package io.cairn.node.cluster;

import java.util.List;

/**
 * The cluster as this node sees it, and the fault tolerance it really has.
 *
 * @param storeFailuresTolerated how many stores can fail at once without any volume losing data
 *     (the smallest parity count m over the volumes, as placed)
 * @param nodeFailuresTolerated how many nodes can fail at once without any volume losing data
 * @param summary the sentence an operator reads, e.g. "survives 2 store failures, 0 node failures"
 */
public record ClusterStatus(String self, List<Member> members, int storeFailuresTolerated,
    int nodeFailuresTolerated, String summary) {

  /** One cluster member. */
  public record Member(String address, String status, List<String> roles) {}
}
