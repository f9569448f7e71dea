package dev.quiver.server;

import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The names a write may be addressed to while no write token guards writes: a defence against DNS
 * rebinding. A page on {@code rebind.attacker.example} whose name then resolves to 127.0.0.1 is
 * same-origin to the browser, so it can post JSON to this server without a preflight; its requests
 * still carry {@code Host: rebind.attacker.example}, which is none of the names here.
 *
 * <p>The names: loopback ({@code localhost}, {@code 127.x.y.z}, {@code [::1]}), and the host the
 * server was told to listen on. A server listening on every interface ({@code 0.0.0.0}, {@code ::})
 * also takes the literal addresses of this machine's interfaces, read once at start-up; a name that
 * resolves to it (its host name) is not taken, since taking it would mean trusting DNS, which is
 * what the attack controls: such a server should set a write token.
 */
final class WriteHosts {

  /** An IPv6 literal, which {@link InetAddress#getByName} reads without asking DNS. */
  private static final Pattern IPV6 = Pattern.compile("[0-9a-f]*:[0-9a-f:.]*");

  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

  private final Set<String> names = new HashSet<>();

  /**
   * @param configuredHost {@code micronaut.server.host}, when set
   */
  WriteHosts(Optional<String> configuredHost) {
    names.add("localhost");
    names.add(bare("::1"));
    Optional<String> configured = configuredHost.map(WriteHosts::bare);
    if (configured.filter(WriteHosts::isWildcard).isPresent()) {
      names.addAll(interfaceAddresses());
    } else {
      configured.filter(host -> !host.isEmpty()).ifPresent(names::add);
    }
  }

  /**
   * Whether a write whose {@code Host} header is this may be taken. A request without the header is
   * not from a browser (every browser sends it), so it is not what this guards against.
   */
  boolean allows(String hostHeader) {
    if (hostHeader == null) {
      return true;
    }
    String host = bare(withoutPort(hostHeader.strip()));
    return names.contains(host) || isLoopbackIpv4(host);
  }

  /** The host of a {@code Host} header: without its port, IPv6 brackets kept. */
  private static String withoutPort(String header) {
    if (header.startsWith("[")) {
      int close = header.indexOf(']');
      return close < 0 ? header : header.substring(0, close + 1);
    }
    int colon = header.lastIndexOf(':');
    return colon < 0 ? header : header.substring(0, colon);
  }

  /** Lower case, without IPv6 brackets, a zone or a trailing dot ({@code localhost.}). */
  private static String bare(String host) {
    String name = host.strip().toLowerCase(Locale.ROOT);
    if (name.startsWith("[") && name.endsWith("]")) {
      name = name.substring(1, name.length() - 1);
    }
    int zone = name.indexOf('%');
    if (zone >= 0) {
      name = name.substring(0, zone);
    }
    name = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
    // One IPv6 address has many spellings (::1, 0:0:0:0:0:0:0:1): compared in Java's.
    if (IPV6.matcher(name).matches()) {
      try {
        return InetAddress.getByName(name).getHostAddress();
      } catch (UnknownHostException e) {
        return name;
      }
    }
    return name;
  }

  private static boolean isWildcard(String host) {
    return host.equals("0.0.0.0") || host.equals(bare("::"));
  }

  private static boolean isLoopbackIpv4(String host) {
    return IPV4.matcher(host).matches() && host.startsWith("127.");
  }

  private static Set<String> interfaceAddresses() {
    Set<String> addresses = new HashSet<>();
    try {
      for (NetworkInterface face : NetworkInterface.networkInterfaces().toList()) {
        for (InetAddress address : face.inetAddresses().toList()) {
          addresses.add(bare(address.getHostAddress()));
        }
      }
    } catch (SocketException e) {
      // Without the list, only loopback names write: refusing is the safe side.
      return addresses;
    }
    return addresses;
  }
}
