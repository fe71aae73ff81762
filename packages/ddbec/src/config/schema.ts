import { ORM_NAMES } from '../orm/presets.js';
import type { SchemaNode } from './validate.js';

const nonEmpty = (description: string): SchemaNode => ({ type: 'string', minLength: 1, description });

const action: SchemaNode = {
  enum: ['ENCRYPT_AND_SIGN', 'SIGN_ONLY', 'DO_NOTHING'],
  description: 'ENCRYPT_AND_SIGN, SIGN_ONLY or DO_NOTHING.',
};

const algorithm = nonEmpty(
  'Key algorithm when the key text does not say: AES, HmacSHA256 (HmacSHA224/384/512) for raw secret keys; SHA256withRSA (SHA384withRSA, …) to sign with an RSA key.',
);

const materialDescription: SchemaNode = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Entries written into every item’s material description.',
};

const beaconCacheTtl: SchemaNode = { type: 'integer', minimum: 1, description: 'Seconds a beacon key is used before it is read from the key store again (default: the keyring’s cacheTtlSeconds, else 600).' };
const otherBeacon: SchemaNode = { type: 'object', additionalProperties: false, required: ['other'], properties: { other: nonEmpty('The beacon whose key and length this one uses.') } };
const transform = (name: string, body: SchemaNode): SchemaNode => ({ type: 'object', additionalProperties: false, required: [name], properties: { [name]: body } });

/**
 * The JSON Schema of `ddbec.config.json`. The same object drives {@link validateConfig} and is
 * shipped as `ddbec.config.schema.json` at the package root for editors.
 */
export const CONFIG_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  title: 'ddbec configuration (ddbec.config.json)',
  description: 'Tables encrypted by ddbec: their keys, materials provider and attribute actions.',
  type: 'object',
  additionalProperties: false,
  required: ['tables'],
  properties: {
    $schema: { type: 'string', description: 'Path or URL of this schema, for editors.' },
    version: { enum: [1], description: 'Format version of this file (1).' },
    region: nonEmpty('AWS region for the DynamoDB and KMS clients when none is given otherwise.'),
    tables: {
      type: 'object',
      minProperties: 1,
      additionalProperties: { oneOf: [{ $ref: '#/$defs/table' }, { $ref: '#/$defs/dbesdkTable' }] },
      description:
        'Encrypted tables by name (the name used with `ddbec --table` and `config.table(name)`): in the legacy format (attributeActions + provider) or in the DB-ESDK format (attributeActionsOnEncrypt + keyring).',
    },
    plaintextTables: {
      type: 'array',
      items: nonEmpty('A DynamoDB table name.'),
      description:
        'DynamoDB tables that hold plaintext on purpose (e.g. an audit log): the SDK integration sends their requests untouched. None may be a table of `tables`, nor differ from one only by case.',
    },
    unknownTables: {
      enum: ['error', 'passthrough'],
      description:
        'What the SDK integration does with a table in neither `tables` nor `plaintextTables`: error (default: ERR_UNKNOWN_TABLE, nothing is sent) or passthrough (sent as plaintext). A name that differs from a configured one only by case is refused either way.',
    },
    pkcs11: { $ref: '#/$defs/pkcs11' },
  },
  $defs: {
    table: {
      type: 'object',
      additionalProperties: false,
      required: ['partitionKey'],
      properties: {
        tableName: nonEmpty('The DynamoDB table name; defaults to the entry’s name.'),
        partitionKey: nonEmpty('Partition key attribute name (never encrypted; signed unless the default is DO_NOTHING).'),
        sortKey: nonEmpty('Sort key attribute name, if the table has one.'),
        attributeActions: {
          type: 'object',
          additionalProperties: false,
          description: 'What to do with each attribute. Readers must use exactly the writers’ actions.',
          properties: {
            default: { ...action, description: 'The action of every attribute not named in overrides (default ENCRYPT_AND_SIGN).' },
            overrides: { type: 'object', additionalProperties: action, description: 'Per-attribute actions.' },
          },
        },
        orm: {
          $ref: '#/$defs/orm',
          description:
            'The ORM the table is used through: its preset (ddbec/orm) gives the attributes the ORM manages their actions; attributeActions.overrides still win.',
        },
        provider: {
          $ref: '#/$defs/provider',
          description: 'The materials provider. Required unless every action is DO_NOTHING (a plaintext table).',
        },
        signingProfile: {
          enum: ['java', 'python', 'portable'],
          description:
            'Whose serialization to sign with where the Java and Python clients differ: java (default), python, or portable (refuse items the two would sign differently).',
        },
        acceptPythonRoundedNumbers: {
          type: 'boolean',
          description:
            'Read Python-signed items whose signed numbers have more than 28 significant digits, returning them rounded as signed (default false: refused).',
        },
      },
    },
    orm: {
      oneOf: [
        { type: 'string', enum: ORM_NAMES, description: 'electrodb, dynamodb-toolbox or dynamoose, with the ORM’s default attribute names.' },
        {
          type: 'object',
          additionalProperties: false,
          required: ['name'],
          properties: {
            name: { enum: ORM_NAMES, description: 'electrodb, dynamodb-toolbox or dynamoose.' },
            compositeAttributes: {
              type: 'array',
              items: nonEmpty('An attribute (as stored) that ElectroDB composes keys of.'),
              description: 'ElectroDB: the attributes the keys are composed of (made SIGN_ONLY; ElectroDB writes the primary key’s in every update).',
            },
            entityAttribute: { $ref: '#/$defs/attributeOrFalse', description: 'dynamodb-toolbox: the entity attribute as saved (default _et), or false.' },
            createdAttribute: {
              $ref: '#/$defs/attributeOrFalse',
              description: 'dynamodb-toolbox (_ct) or dynamoose (createdAt): the creation timestamp as saved, or false.',
            },
            modifiedAttribute: {
              $ref: '#/$defs/attributeOrFalse',
              description: 'dynamodb-toolbox (_md) or dynamoose (updatedAt): the modification timestamp as saved (made DO_NOTHING), or false.',
            },
          },
        },
      ],
    },
    attributeOrFalse: {
      oneOf: [{ type: 'string', minLength: 1 }, { type: 'boolean', const: false }],
    },
    dbesdkTable: {
      type: 'object',
      additionalProperties: false,
      required: ['partitionKey', 'attributeActionsOnEncrypt', 'keyring'],
      description: 'A table in the AWS Database Encryption SDK format (DB-ESDK, "DynamoDB Encryption Client 3.x").',
      properties: {
        tableName: nonEmpty('The DynamoDB table name; defaults to the entry’s name.'),
        logicalTableName: nonEmpty('The table name bound to every item (default: tableName); keep it when the physical table changes (a restore).'),
        partitionKey: nonEmpty('Partition key attribute name (SIGN_ONLY or SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT in attributeActionsOnEncrypt).'),
        sortKey: nonEmpty('Sort key attribute name, if the table has one.'),
        attributeActionsOnEncrypt: {
          type: 'object',
          minProperties: 1,
          additionalProperties: {
            enum: ['ENCRYPT_AND_SIGN', 'SIGN_ONLY', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'DO_NOTHING'],
            description: 'ENCRYPT_AND_SIGN, SIGN_ONLY, SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT or DO_NOTHING.',
          },
          description: 'The action of every attribute an item may have (there is no default); the key attributes included.',
        },
        allowedUnsignedAttributes: { type: 'array', items: nonEmpty('An attribute name.'), description: 'Attributes that are not signed (their action must be DO_NOTHING or absent).' },
        allowedUnsignedAttributePrefix: nonEmpty('Attributes whose name starts with this are not signed.'),
        algorithmSuiteId: {
          enum: ['0x6700', '0x6701'],
          description: 'Algorithm suite: 0x6701 (default: AES-256-GCM, key commitment, ECDSA P-384 signature) or 0x6700 (without the ECDSA signature).',
        },
        keyring: { $ref: '#/$defs/keyring' },
        legacyOverride: {
          type: 'object',
          additionalProperties: false,
          required: ['policy', 'provider'],
          description: 'Read (and, while migrating, write) items of the legacy format. Not together with plaintextOverride.',
          properties: {
            policy: {
              enum: ['FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT', 'FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT', 'FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT'],
              description: 'FORCE_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT (step 1: readers of both formats), FORBID_LEGACY_ENCRYPT_ALLOW_LEGACY_DECRYPT (step 2: write the new format) or FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT (step 4: legacy items refused).',
            },
            attributeActions: {
              type: 'object',
              additionalProperties: false,
              description: 'The actions the legacy items were written with.',
              properties: {
                default: { ...action, description: 'The action of every attribute not named in overrides (default ENCRYPT_AND_SIGN).' },
                overrides: { type: 'object', additionalProperties: action, description: 'Per-attribute actions.' },
              },
            },
            provider: { $ref: '#/$defs/provider', description: 'The legacy materials provider.' },
            signingProfile: { enum: ['java', 'python', 'portable'], description: 'As signingProfile of a legacy table.' },
          },
        },
        search: { $ref: '#/$defs/search' },
        plaintextOverride: {
          enum: ['FORCE_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ', 'FORBID_PLAINTEXT_WRITE_ALLOW_PLAINTEXT_READ', 'FORBID_PLAINTEXT_WRITE_FORBID_PLAINTEXT_READ'],
          description: 'Migrating a plaintext table: write plaintext and read both (step 1), encrypt and read both (step 2), or encrypt and refuse plaintext (default).',
        },
      },
    },
    search: {
      type: 'object',
      additionalProperties: false,
      required: ['keySource', 'standardBeacons'],
      description:
        'Searchable encryption (beacons, docs/searchable-encryption.md): beacon attributes written beside each item so that Query and Scan can find items by encrypted values. Needs a hierarchical keyring: the beacon keys come from its branch key store.',
      properties: {
        keySource: {
          oneOf: [
            {
              type: 'object',
              additionalProperties: false,
              required: ['single'],
              properties: {
                single: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['keyId'],
                  description: 'One beacon key for the whole table.',
                  properties: { keyId: nonEmpty('The branch key whose beacon key every item and query uses.'), cacheTTL: beaconCacheTtl },
                },
              },
            },
            {
              type: 'object',
              additionalProperties: false,
              required: ['multi'],
              properties: {
                multi: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['keyFieldName'],
                  description: 'A beacon key per tenant.',
                  properties: {
                    keyFieldName: nonEmpty('The attribute naming an item’s beacon key (branch key id); queries name it through a signed part of this name.'),
                    cacheTTL: beaconCacheTtl,
                    maxCacheSize: { type: 'integer', minimum: 1, description: 'How many tenants’ beacon keys are cached (default 1000).' },
                  },
                },
              },
            },
          ],
          description: 'Which beacon key an item or a query uses: {"single": {"keyId": …}} or {"multi": {"keyFieldName": …}}.',
        },
        standardBeacons: { type: 'array', items: { $ref: '#/$defs/standardBeacon' }, description: 'At least one.' },
        compoundBeacons: { type: 'array', items: { $ref: '#/$defs/compoundBeacon' } },
        virtualFields: { type: 'array', items: { $ref: '#/$defs/virtualField' } },
        encryptedParts: { type: 'array', items: { $ref: '#/$defs/encryptedPart' }, description: 'Parts any compound beacon’s constructors may use.' },
        signedParts: { type: 'array', items: { $ref: '#/$defs/signedPart' }, description: 'Parts any compound beacon’s constructors may use.' },
        maximumNumberOfPartitions: { type: 'integer', minimum: 1, description: 'Beacon partitions, 1 to 255 (default 1: none); items are written in a random partition.' },
        defaultNumberOfPartitions: { type: 'integer', minimum: 1, description: 'The partitions of a standard beacon that sets none (less than the maximum).' },
      },
    },
    standardBeacon: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'length'],
      description: 'A truncated HMAC of a value, stored as aws_dbe_b_<name>; queries compare it for equality.',
      properties: {
        name: nonEmpty('The beacon’s name, which queries use (often the attribute’s own name).'),
        length: { type: 'integer', minimum: 1, description: 'Bits kept, 1 to 63 (`ddbec beacon-length --distinct N` advises).' },
        loc: nonEmpty('The attribute or document path (`a.b[2].c`) or virtual field hashed; default the name.'),
        style: {
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['partOnly'], properties: { partOnly: { type: 'object', additionalProperties: false } } },
            { type: 'object', additionalProperties: false, required: ['shared'], properties: { shared: otherBeacon } },
            { type: 'object', additionalProperties: false, required: ['asSet'], properties: { asSet: { type: 'object', additionalProperties: false } } },
            { type: 'object', additionalProperties: false, required: ['sharedSet'], properties: { sharedSet: otherBeacon } },
          ],
          description: '{"partOnly": {}} (a part of compound beacons only), {"shared": {"other": …}}, {"asSet": {}} (a set attribute) or {"sharedSet": {"other": …}}.',
        },
        numberOfPartitions: { type: 'integer', minimum: 1, description: 'This beacon’s partitions (less than the maximum).' },
      },
    },
    compoundBeacon: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'split'],
      description: 'Parts joined by a split character: signed values and standard beacons, each after its prefix.',
      properties: {
        name: nonEmpty('The beacon’s name, which queries use.'),
        split: { type: 'string', minLength: 1, description: 'One character between the parts.' },
        encrypted: { type: 'array', items: { $ref: '#/$defs/encryptedPart' } },
        signed: { type: 'array', items: { $ref: '#/$defs/signedPart' } },
        constructors: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['parts'],
            properties: {
              parts: {
                type: 'array',
                items: { type: 'object', additionalProperties: false, required: ['name', 'required'], properties: { name: nonEmpty('A part’s name.'), required: { type: 'boolean' } } },
              },
            },
          },
          description: 'Tried in order; the first whose required parts the item has builds the beacon (default: every signed part, then every encrypted part).',
        },
      },
    },
    encryptedPart: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'prefix'],
      properties: { name: nonEmpty('A standard beacon’s name.'), prefix: nonEmpty('Marks the part in the compound value.') },
    },
    signedPart: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'prefix'],
      properties: { name: nonEmpty('The part’s name.'), prefix: nonEmpty('Marks the part in the compound value.'), loc: nonEmpty('The signed attribute or path; default the name.') },
    },
    virtualField: {
      type: 'object',
      additionalProperties: false,
      required: ['name', 'parts'],
      description: 'A string computed from parts of an item (never stored) that a standard beacon can hash.',
      properties: {
        name: nonEmpty('The field’s name (a standard beacon’s loc).'),
        parts: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['loc'],
            properties: { loc: nonEmpty('An attribute or document path holding a string.'), trans: { type: 'array', items: { $ref: '#/$defs/virtualTransform' } } },
          },
        },
      },
    },
    virtualTransform: {
      oneOf: [
        transform('upper', { type: 'object', additionalProperties: false }),
        transform('lower', { type: 'object', additionalProperties: false }),
        transform('insert', { type: 'object', additionalProperties: false, required: ['literal'], properties: { literal: { type: 'string' } } }),
        transform('prefix', { type: 'object', additionalProperties: false, required: ['length'], properties: { length: { type: 'integer' } } }),
        transform('suffix', { type: 'object', additionalProperties: false, required: ['length'], properties: { length: { type: 'integer' } } }),
        transform('substring', { type: 'object', additionalProperties: false, required: ['low', 'high'], properties: { low: { type: 'integer' }, high: { type: 'integer' } } }),
        transform('segment', { type: 'object', additionalProperties: false, required: ['split', 'index'], properties: { split: { type: 'string', minLength: 1 }, index: { type: 'integer' } } }),
        transform('segments', {
          type: 'object',
          additionalProperties: false,
          required: ['split', 'low', 'high'],
          properties: { split: { type: 'string', minLength: 1 }, low: { type: 'integer' }, high: { type: 'integer' } },
        }),
      ],
      description: 'One of {"upper": {}}, {"lower": {}}, {"insert": {"literal"}}, {"prefix": {"length"}}, {"suffix": {"length"}}, {"substring": {"low", "high"}}, {"segment": {"split", "index"}}, {"segments": {"split", "low", "high"}}.',
    },
    keyring: {
      oneOf: [{ $ref: '#/$defs/rawAesKeyring' }, { $ref: '#/$defs/hierarchicalKeyring' }, { $ref: '#/$defs/kmsKeyring' }],
      description: 'Where the data keys of a DB-ESDK table come from.',
    },
    rawAesKeyring: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'keyNamespace', 'keyName', 'wrappingKey'],
      description: 'An AES-256 wrapping key you hold (AES-GCM).',
      properties: {
        type: { const: 'raw-aes' },
        keyNamespace: nonEmpty('The key namespace written into each encrypted data key (provider id).'),
        keyName: nonEmpty('The key name written into each encrypted data key.'),
        wrappingKey: { $ref: '#/$defs/keySource', description: 'AES key (128, 192 or 256 bits).' },
      },
    },
    hierarchicalKeyring: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'branchKeyId', 'keyStore'],
      description: 'Branch keys from a branch key store (a DynamoDB table protected by an AWS KMS key), cached.',
      properties: {
        type: { const: 'hierarchical' },
        branchKeyId: nonEmpty('The branch key to use.'),
        keyStore: {
          type: 'object',
          additionalProperties: false,
          required: ['tableName', 'kmsKeyArn'],
          properties: {
            tableName: nonEmpty('The branch key store table.'),
            logicalKeyStoreName: nonEmpty('The logical name of the store (default: tableName).'),
            kmsKeyArn: nonEmpty('The KMS key ARN that protects the branch keys.'),
          },
        },
        cacheTtlSeconds: {
          type: 'integer',
          minimum: 1,
          description: 'How long a branch key read from the store (one DynamoDB read and one KMS Decrypt) is used before it is read again, in seconds (default 600).',
        },
      },
    },
    kmsKeyring: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'keyId'],
      description: 'One AWS KMS data key per item (the AWS KMS keyring).',
      properties: {
        type: { const: 'aws-kms' },
        keyId: nonEmpty('Key ARN (or, to encrypt only, key id or alias).'),
        region: nonEmpty('Region of the KMS key (default: the key ARN’s region, else the client’s).'),
        grantTokens: { type: 'array', items: nonEmpty('A KMS grant token.') },
      },
    },
    provider: {
      oneOf: [
        { $ref: '#/$defs/staticProvider' },
        { $ref: '#/$defs/wrappedProvider' },
        { $ref: '#/$defs/directKmsProvider' },
        { $ref: '#/$defs/mostRecentProvider' },
      ],
    },
    innerProvider: {
      oneOf: [{ $ref: '#/$defs/staticProvider' }, { $ref: '#/$defs/wrappedProvider' }, { $ref: '#/$defs/directKmsProvider' }],
      description: 'The provider that protects the MetaStore rows (usually direct-kms).',
    },
    staticProvider: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      description: 'The same raw keys for every item.',
      properties: {
        type: { const: 'static' },
        encryptionKey: { $ref: '#/$defs/keySource', description: 'AES key (omit for sign-only tables).' },
        signingKey: { $ref: '#/$defs/keySource', description: 'HMAC key or RSA private key.' },
        verificationKey: { $ref: '#/$defs/keySource', description: 'HMAC key or RSA public key, for read-only use.' },
        materialDescription,
      },
    },
    wrappedProvider: {
      type: 'object',
      additionalProperties: false,
      required: ['type'],
      description: 'A fresh content key per item, wrapped with an AES key (AES Key Wrap) or an RSA key (RSA-OAEP).',
      properties: {
        type: { const: 'wrapped' },
        wrappingKey: {
          $ref: '#/$defs/keySource',
          description: 'AES key-encryption key, RSA public key, or RSA private key (then it also unwraps).',
        },
        unwrappingKey: { $ref: '#/$defs/keySource', description: 'RSA private key, when wrappingKey is the public key.' },
        signingKey: { $ref: '#/$defs/keySource', description: 'HMAC key or RSA private key.' },
        verificationKey: { $ref: '#/$defs/keySource', description: 'HMAC key or RSA public key, for read-only use.' },
        materialDescription,
        allowLegacyPkcs1: {
          type: 'boolean',
          description:
            'Also unwrap RSA PKCS#1 v1.5 envelopes (items of early Java releases); off by default because it exposes a padding oracle.',
        },
      },
    },
    directKmsProvider: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'keyId'],
      description: 'One AWS KMS data key per item.',
      properties: {
        type: { const: 'direct-kms' },
        keyId: nonEmpty('Key id, key ARN, alias name or alias ARN.'),
        region: nonEmpty('Region of the KMS key (default: the key ARN’s region, else the client’s).'),
        discovery: { type: 'boolean', description: 'Decrypt with whatever key encrypted the item (migrations and tools only).' },
        grantTokens: { type: 'array', items: nonEmpty('A KMS grant token.') },
        materialDescription,
      },
    },
    mostRecentProvider: {
      type: 'object',
      additionalProperties: false,
      required: ['type', 'metaStore', 'materialName'],
      description: 'Versioned keys in a MetaStore table; encrypts with the newest version.',
      properties: {
        type: { const: 'most-recent' },
        metaStore: {
          type: 'object',
          additionalProperties: false,
          required: ['tableName', 'provider'],
          properties: {
            tableName: nonEmpty('The MetaStore table.'),
            provider: { $ref: '#/$defs/innerProvider' },
          },
        },
        materialName: nonEmpty('The material (key family) name; must not contain "#".'),
        ttlMs: { type: 'integer', minimum: 0, description: 'How long the newest version is cached, in ms (default 60000).' },
        cacheSize: { type: 'integer', minimum: 1, description: 'How many versions are kept in memory (default 1000).' },
      },
    },
    keySource: {
      oneOf: [
        {
          type: 'object',
          additionalProperties: false,
          required: ['file'],
          properties: {
            file: nonEmpty('Key file (as written by `ddbec keys generate`), relative to the configuration file.'),
            algorithm,
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['env'],
          properties: {
            env: nonEmpty('Environment variable holding the key: a key file’s text, or raw key bytes in base64.'),
            algorithm,
          },
        },
        {
          type: 'object',
          additionalProperties: false,
          required: ['pkcs11'],
          properties: {
            pkcs11: {
              type: 'object',
              additionalProperties: false,
              description: 'A key in the PKCS#11 token of the top-level `pkcs11` entry, by CKA_LABEL or CKA_ID (one of them). It never leaves the token.',
              properties: { label: nonEmpty('The key’s CKA_LABEL.'), id: nonEmpty('The key’s CKA_ID, in hex.') },
            },
            algorithm: nonEmpty(
              'AES (default for encryption and wrapping keys), HmacSHA256 (default for signing keys; HmacSHA224/384/512), RSA for an RSA wrapping key pair, SHA256withRSA (SHA384withRSA, …) for an RSA signing key pair.',
            ),
          },
        },
      ],
    },
    pkcs11: {
      type: 'object',
      additionalProperties: false,
      required: ['module', 'pin'],
      description: 'The PKCS#11 token (an HSM such as AWS CloudHSM, or SoftHSM2) that holds the `{ "pkcs11": … }` keys. Needs the pkcs11js package.',
      properties: {
        module: nonEmpty('Path of the PKCS#11 library, e.g. /opt/cloudhsm/lib/libcloudhsm_pkcs11.so or /usr/lib/softhsm/libsofthsm2.so.'),
        tokenLabel: nonEmpty('The token’s label (give this or slot).'),
        slot: { type: 'integer', minimum: 0, description: 'The slot ID (give this or tokenLabel).' },
        pin: {
          description: 'Where the user PIN is read from (CloudHSM: `<crypto user>:<password>`); never the PIN itself.',
          oneOf: [
            { type: 'object', additionalProperties: false, required: ['env'], properties: { env: nonEmpty('Environment variable holding the PIN.') } },
            { type: 'object', additionalProperties: false, required: ['file'], properties: { file: nonEmpty('File holding the PIN (one line), relative to the configuration file.') } },
          ],
        },
        maxSessions: { type: 'integer', minimum: 1, description: 'Most token sessions (operations in flight) at once (default 8).' },
      },
    },
  },
} as const satisfies SchemaNode;
