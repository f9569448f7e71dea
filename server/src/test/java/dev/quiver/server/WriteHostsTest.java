package dev.quiver.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WriteHostsTest {

  @Test
  void loopbackNamesAreTakenWithOrWithoutAPort() {
    WriteHosts hosts = new WriteHosts(Optional.of("127.0.0.1"));

    assertThat(hosts.allows("localhost:6566")).isTrue();
    assertThat(hosts.allows("LOCALHOST")).isTrue();
    assertThat(hosts.allows("127.0.0.1:6566")).isTrue();
    assertThat(hosts.allows("127.3.4.5")).isTrue();
    assertThat(hosts.allows("[::1]:6566")).isTrue();
    assertThat(hosts.allows("[0:0:0:0:0:0:0:1]")).isTrue();
  }

  @Test
  void otherNamesAreRefusedEvenWhenTheyStartLikeLoopback() {
    WriteHosts hosts = new WriteHosts(Optional.of("127.0.0.1"));

    assertThat(hosts.allows("rebind.attacker.example:6566")).isFalse();
    assertThat(hosts.allows("127.0.0.1.attacker.example")).isFalse();
    assertThat(hosts.allows("localhost.attacker.example")).isFalse();
    assertThat(hosts.allows("")).isFalse();
  }

  @Test
  void theConfiguredHostIsTaken() {
    WriteHosts hosts = new WriteHosts(Optional.of("features.internal"));

    assertThat(hosts.allows("Features.Internal:6566")).isTrue();
    assertThat(hosts.allows("other.internal:6566")).isFalse();
  }

  @Test
  void onEveryInterfaceTheMachinesOwnAddressesAreTakenButNotOtherNames() throws Exception {
    Optional<InetAddress> own =
        NetworkInterface.networkInterfaces()
            .flatMap(NetworkInterface::inetAddresses)
            .filter(address -> !address.isLoopbackAddress())
            .filter(address -> address.getAddress().length == 4)
            .findFirst();
    assumeThat(own).as("a non-loopback IPv4 address on this machine").isPresent();
    WriteHosts hosts = new WriteHosts(Optional.of("0.0.0.0"));

    assertThat(hosts.allows(own.get().getHostAddress() + ":6566")).isTrue();
    assertThat(hosts.allows("rebind.attacker.example:6566")).isFalse();
    assertThat(hosts.allows("0.0.0.0:6566")).isFalse();
  }
}
