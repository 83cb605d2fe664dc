/**
 * Cairn's wire formats, in one place: the protobuf messages of the cluster and the fabric
 * ({@code io.cairn.protocol.fabric}, {@code io.cairn.protocol.catalog}, generated from
 * {@code src/main/proto}) and the framing codecs of host frontends (NBD).
 *
 * <p>This module depends on protobuf only, so every other module can share its shapes. The node
 * binds these messages to Pekko's protobuf serializer (node/src/main/resources/reference.conf).
 */
package io.cairn.protocol;
