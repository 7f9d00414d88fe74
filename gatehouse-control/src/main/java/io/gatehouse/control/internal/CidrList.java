package io.gatehouse.control.internal;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

/** A list of networks (CIDR {@code 10.0.0.0/8}, {@code fd00::/8}, or single addresses) that answers membership. */
public final class CidrList {
  private record Net(byte[] base, int bits) {}

  private final List<Net> nets = new ArrayList<>();

  /** Parses {@code entries}; literal addresses only (no host names). */
  public CidrList(List<String> entries) {
    for (String e : entries) {
      String[] parts = e.strip().split("/", 2);
      byte[] base = literal(parts[0], e);
      int bits = base.length * 8;
      if (parts.length == 2) {
        try {
          bits = Integer.parseInt(parts[1]);
        } catch (NumberFormatException ex) {
          bits = -1;
        }
        if (bits < 0 || bits > base.length * 8) {
          throw new IllegalArgumentException("expected a prefix length from 0 to " + base.length * 8 + " in '" + e + "'");
        }
      }
      nets.add(new Net(base, bits));
    }
  }

  /** Whether no network is listed (then everyone is allowed). */
  public boolean isEmpty() {
    return nets.isEmpty();
  }

  /** Whether {@code address} (a literal) is inside one of the networks. */
  public boolean contains(String address) {
    byte[] a;
    try {
      a = literal(address, address);
    } catch (IllegalArgumentException e) {
      return false;
    }
    for (Net n : nets) {
      if (n.base().length == a.length && matches(n.base(), a, n.bits())) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] base, byte[] a, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (base[i] != a[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = 0xff << (8 - rest) & 0xff;
    return (base[full] & mask) == (a[full] & mask);
  }

  private static byte[] literal(String text, String entry) {
    String t = text.strip();
    if (t.startsWith("[") && t.endsWith("]")) {
      t = t.substring(1, t.length() - 1);
    }
    boolean looksLiteral = t.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':' || c == '%');
    if (t.isEmpty() || !looksLiteral) {
      throw new IllegalArgumentException("expected an IP address or CIDR network but got '" + entry + "'");
    }
    try {
      byte[] b = InetAddress.getByName(t).getAddress();
      if (b.length == 16 && isMappedV4(b)) {
        return java.util.Arrays.copyOfRange(b, 12, 16);
      }
      return b;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("expected an IP address or CIDR network but got '" + entry + "'", e);
    }
  }

  private static boolean isMappedV4(byte[] b) {
    for (int i = 0; i < 10; i++) {
      if (b[i] != 0) {
        return false;
      }
    }
    return b[10] == (byte) 0xff && b[11] == (byte) 0xff;
  }
}
