-- The instance's sealing key pair (X25519): the public key in PEM, the private key (PKCS#8) as a
-- master-key envelope 'v1:KEYID:...'. Master keys never enter the database.
CREATE TABLE instance_keys (
  name        VARCHAR(100) NOT NULL PRIMARY KEY,
  public_key  TEXT         NOT NULL,
  private_key TEXT         NOT NULL,
  created_at  BIGINT       NOT NULL
);
