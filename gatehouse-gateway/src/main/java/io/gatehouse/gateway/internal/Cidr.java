package io.gatehouse.gateway.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** A set of IPv4 and IPv6 address ranges in CIDR notation, matched without allocation per octet. */
public final class Cidr {
  private final byte[][] networks;
  private final int[] prefixes;

  private Cidr(byte[][] networks, int[] prefixes) {
    this.networks = networks;
    this.prefixes = prefixes;
  }

  /**
   * Parses ranges such as {@code 10.0.0.0/8}, {@code ::1/128} or a bare address.
   *
   * @throws IllegalArgumentException naming the first range that is not a literal address with an
   *     optional prefix length in range
   */
  public static Cidr parse(List<String> ranges) {
    byte[][] nets = new byte[ranges.size()][];
    int[] prefixes = new int[ranges.size()];
    for (int i = 0; i < ranges.size(); i++) {
      String r = ranges.get(i).trim();
      int slash = r.indexOf('/');
      String addr = slash < 0 ? r : r.substring(0, slash);
      byte[] bytes = literal(addr);
      if (bytes == null) {
        throw new IllegalArgumentException("expected an IP address or CIDR range but got '" + r + "'");
      }
      int prefix = bytes.length * 8;
      if (slash >= 0) {
        try {
          prefix = Integer.parseInt(r.substring(slash + 1));
        } catch (NumberFormatException e) {
          prefix = -1;
        }
        if (prefix < 0 || prefix > bytes.length * 8) {
          throw new IllegalArgumentException(
              "expected a prefix length 0.." + bytes.length * 8 + " but got '" + r + "'");
        }
      }
      nets[i] = bytes;
      prefixes[i] = prefix;
    }
    return new Cidr(nets, prefixes);
  }

  /** Whether no range is configured. */
  public boolean isEmpty() {
    return networks.length == 0;
  }

  /** Whether {@code address}, a literal IP address, falls in any range; false for non-literals. */
  public boolean contains(String address) {
    if (networks.length == 0 || address == null) {
      return false;
    }
    byte[] bytes = literal(address);
    if (bytes == null) {
      return false;
    }
    for (int i = 0; i < networks.length; i++) {
      if (matches(networks[i], prefixes[i], bytes)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Whether the raw address {@code bytes} (4 or 16 bytes; IPv4-mapped IPv6 already reduced to 4)
   * falls in any range.
   */
  public boolean contains(byte[] bytes) {
    for (int i = 0; i < networks.length; i++) {
      if (matches(networks[i], prefixes[i], bytes)) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] net, int prefix, byte[] addr) {
    if (net.length != addr.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (net[i] != addr[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (net[full] & mask) == (addr[full] & mask);
  }

  /** The bytes of a literal IPv4 or IPv6 address, or {@code null} when it is not one (no DNS). */
  static byte[] literal(String s) {
    if (s.isEmpty()) {
      return null;
    }
    String a = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
    boolean v6 = a.indexOf(':') >= 0;
    if (!v6) {
      for (int i = 0; i < a.length(); i++) {
        char c = a.charAt(i);
        if ((c < '0' || c > '9') && c != '.') {
          return null;
        }
      }
    } else {
      for (int i = 0; i < a.length(); i++) {
        char c = a.charAt(i);
        boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        if (!hex && c != ':' && c != '.' && c != '%') {
          return null;
        }
      }
    }
    try {
      byte[] bytes = InetAddress.getByName(a).getAddress();
      if (bytes.length == 16 && isV4Mapped(bytes)) {
        byte[] v4 = new byte[4];
        System.arraycopy(bytes, 12, v4, 0, 4);
        return v4;
      }
      return bytes;
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isV4Mapped(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return (b[10] & 0xFF) == 0xFF && (b[11] & 0xFF) == 0xFF;
  }
}
