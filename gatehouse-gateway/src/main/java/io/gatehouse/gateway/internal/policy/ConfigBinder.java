package io.gatehouse.gateway.internal.policy;

import io.gatehouse.policy.PolicyConfigException;
import io.gatehouse.policy.Required;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Binds a policy's parsed configuration to its configuration record, strictly: every problem is a
 * {@link PolicyConfigException} naming the field (kebab-case, with {@code [i]} and {@code .} for
 * nesting), unknown fields are refused, and {@link Required} components must be given (a string not empty).
 */
public final class ConfigBinder {
  private ConfigBinder() {}

  /** Binds {@code config} to a new {@code type}; the caller calls {@link PolicyConfig#done()}. */
  public static <C extends Record> C bind(PolicyConfig config, Class<C> type) {
    RecordComponent[] components = type.getRecordComponents();
    Object[] args = new Object[components.length];
    Class<?>[] types = new Class<?>[components.length];
    for (int i = 0; i < components.length; i++) {
      RecordComponent rc = components[i];
      String field = PolicyConfig.canonical(rc.getName());
      types[i] = rc.getType();
      Object raw = config.raw(field);
      if ("".equals(raw) && rc.isAnnotationPresent(Required.class)) {
        throw new PolicyConfigException(field, "is required");
      }
      if (raw == null) {
        if (rc.isAnnotationPresent(Required.class)) {
          throw new PolicyConfigException(field, "is required");
        }
        args[i] = absent(rc.getType());
      } else {
        args[i] = convert(raw, rc.getGenericType(), field);
      }
    }
    try {
      Constructor<C> ctor = type.getDeclaredConstructor(types);
      ctor.setAccessible(true);
      return ctor.newInstance(args);
    } catch (InvocationTargetException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new IllegalStateException(e.getCause());
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("cannot create " + type.getName() + ": " + e, e);
    }
  }

  private static Object absent(Class<?> type) {
    if (!type.isPrimitive()) {
      return null;
    }
    if (type == boolean.class) {
      return false;
    }
    if (type == int.class) {
      return 0;
    }
    if (type == long.class) {
      return 0L;
    }
    if (type == double.class) {
      return 0.0;
    }
    throw new IllegalArgumentException("unsupported configuration type " + type);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static Object convert(Object v, Type type, String field) {
    Class<?> raw = rawClass(type);
    if (raw == String.class) {
      if (v instanceof String || v instanceof Number || v instanceof Boolean) {
        return v.toString();
      }
      throw wrong(field, "a string", v);
    }
    if (raw == int.class || raw == Integer.class) {
      return (int) whole(v, field, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }
    if (raw == long.class || raw == Long.class) {
      return whole(v, field, Long.MIN_VALUE, Long.MAX_VALUE);
    }
    if (raw == double.class || raw == Double.class) {
      if (v instanceof Number n) {
        return n.doubleValue();
      }
      if (v instanceof String s) {
        try {
          return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
          // reported below
        }
      }
      throw wrong(field, "a number", v);
    }
    if (raw == boolean.class || raw == Boolean.class) {
      if (v instanceof Boolean b) {
        return b;
      }
      if ("true".equals(v) || "false".equals(v)) {
        return Boolean.parseBoolean((String) v);
      }
      throw wrong(field, "true or false", v);
    }
    if (raw == Duration.class) {
      Duration d = PolicyConfig.parseDuration(v);
      if (d == null || d.isNegative()) {
        throw wrong(field, "a duration such as 10s, 5m or 1h", v);
      }
      return d;
    }
    if (raw.isEnum()) {
      if (v instanceof String s) {
        String want = s.trim().replace('-', '_');
        for (Object c : raw.getEnumConstants()) {
          if (((Enum<?>) c).name().equalsIgnoreCase(want)) {
            return c;
          }
        }
      }
      List<String> names = new ArrayList<>();
      for (Object c : raw.getEnumConstants()) {
        names.add(((Enum<?>) c).name().toLowerCase(Locale.ROOT).replace('_', '-'));
      }
      throw new PolicyConfigException(field, "expected one of " + names + " but got " + PolicyConfig.describe(v));
    }
    if (raw == List.class) {
      Type element = argument(type, 0);
      List<?> in = v instanceof List<?> l ? l : null;
      if (in == null) {
        if (rawClass(element) == String.class && v instanceof String s) {
          return List.of(s); // a single string reads as a one-element list
        }
        throw wrong(field, "a list", v);
      }
      List<Object> out = new ArrayList<>(in.size());
      for (int i = 0; i < in.size(); i++) {
        if (in.get(i) == null) {
          throw new PolicyConfigException(field + "[" + i + "]", "expected a value but got nothing");
        }
        out.add(convert(in.get(i), element, field + "[" + i + "]"));
      }
      return List.copyOf(out);
    }
    if (raw == Map.class) {
      if (!(v instanceof Map<?, ?> in)) {
        throw wrong(field, "a map", v);
      }
      Type value = argument(type, 1);
      Map<String, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : in.entrySet()) {
        String key = String.valueOf(e.getKey());
        Object val = e.getValue();
        out.put(key, val == null || rawClass(value) == Object.class ? val : convert(val, value, field + "." + key));
      }
      return java.util.Collections.unmodifiableMap(out);
    }
    if (raw.isRecord()) {
      if (!(v instanceof Map<?, ?> in)) {
        throw wrong(field, "a map", v);
      }
      PolicyConfig nested = PolicyConfig.of((Map<String, Object>) in);
      try {
        Record r = bind(nested, (Class<Record>) raw);
        nested.done();
        return r;
      } catch (PolicyConfigException e) {
        throw new PolicyConfigException(e.field().isEmpty() ? field : field + "." + e.field(), e.getMessage());
      }
    }
    if (raw == Object.class) {
      return v;
    }
    throw new IllegalArgumentException("unsupported configuration type " + type + " for " + field);
  }

  private static long whole(Object v, String field, long min, long max) {
    long n;
    if (v instanceof Integer || v instanceof Long || v instanceof Short) {
      n = ((Number) v).longValue();
    } else if (v instanceof String s) {
      try {
        n = Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        throw new PolicyConfigException(field, "expected a whole number but got '" + s + "'");
      }
    } else {
      throw wrong(field, "a whole number", v);
    }
    if (n < min || n > max) {
      throw new PolicyConfigException(field, "expected a number from " + min + " to " + max + " but got " + n);
    }
    return n;
  }

  private static PolicyConfigException wrong(String field, String expected, Object v) {
    return new PolicyConfigException(field, "expected " + expected + " but got " + PolicyConfig.describe(v));
  }

  private static Class<?> rawClass(Type t) {
    if (t instanceof Class<?> c) {
      return c;
    }
    if (t instanceof ParameterizedType p) {
      return (Class<?>) p.getRawType();
    }
    return Object.class; // wildcards and type variables read as parsed
  }

  private static Type argument(Type t, int i) {
    return t instanceof ParameterizedType p ? p.getActualTypeArguments()[i] : Object.class;
  }
}
