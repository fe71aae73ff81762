"""The Python DynamoDB Encryption Client's side of bench/python.mjs (not run on its own).

Reads one JSON line with the items, keys and actions, then answers each request line
{"case": "typical static encrypt", "seconds": 0.5} with {"ops": n, "seconds": t}: as many
items as it can in that slice, single thread. Needs the reference client on PYTHONPATH and
its dependencies (cryptography, attrs, boto3) installed; fetches nothing.
"""
import base64
import json
import sys
import time

from dynamodb_encryption_sdk.delegated_keys.jce import JceNameLocalDelegatedKey
from dynamodb_encryption_sdk.encrypted import CryptoConfig
from dynamodb_encryption_sdk.encrypted.item import decrypt_dynamodb_item, encrypt_dynamodb_item
from dynamodb_encryption_sdk.identifiers import CryptoAction, EncryptionKeyType, KeyEncodingType
from dynamodb_encryption_sdk.material_providers.static import StaticCryptographicMaterialsProvider
from dynamodb_encryption_sdk.material_providers.wrapped import WrappedCryptographicMaterialsProvider
from dynamodb_encryption_sdk.materials.raw import RawDecryptionMaterials, RawEncryptionMaterials
from dynamodb_encryption_sdk.structures import AttributeActions, EncryptionContext


def from_wire(value):
    """DynamoDB JSON with {"$b64": ...} binaries -> the client's item (bytes for binaries)."""
    if isinstance(value, dict):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {key: from_wire(member) for key, member in value.items()}
    if isinstance(value, list):
        return [from_wire(member) for member in value]
    return value


def symmetric(key_hex, algorithm):
    return JceNameLocalDelegatedKey(
        key=bytes.fromhex(key_hex), algorithm=algorithm, key_type=EncryptionKeyType.SYMMETRIC, key_encoding=KeyEncodingType.RAW
    )


def rsa(pem, algorithm, key_type):
    return JceNameLocalDelegatedKey(key=pem.encode(), algorithm=algorithm, key_type=key_type, key_encoding=KeyEncodingType.PEM)


def main():
    setup = json.loads(sys.stdin.readline())
    keys = setup["keys"]
    aes, hmac = symmetric(keys["aes"], "AES"), symmetric(keys["hmac"], "HmacSHA256")
    providers = {
        "static": StaticCryptographicMaterialsProvider(
            encryption_materials=RawEncryptionMaterials(signing_key=hmac, encryption_key=aes),
            decryption_materials=RawDecryptionMaterials(verification_key=hmac, decryption_key=aes),
        ),
        "wrapped-rsa": WrappedCryptographicMaterialsProvider(
            wrapping_key=rsa(keys["rsaPublic"], "RSA", EncryptionKeyType.PUBLIC),
            unwrapping_key=rsa(keys["rsaPrivate"], "RSA", EncryptionKeyType.PRIVATE),
            signing_key=rsa(keys["rsaPrivate"], "SHA256withRSA", EncryptionKeyType.PRIVATE),
        ),
    }
    actions = AttributeActions(
        default_action=CryptoAction.ENCRYPT_AND_SIGN,
        attribute_actions={name: CryptoAction.SIGN_ONLY for name in setup["signOnly"]},
    )
    table = setup["table"]
    context = EncryptionContext(
        table_name=table["tableName"], partition_key_name=table["partitionKeyName"], sort_key_name=table["sortKeyName"]
    )
    cases = {}
    for item_name, wire in setup["items"].items():
        item = from_wire(wire)
        for provider_name, provider in providers.items():
            config = CryptoConfig(materials_provider=provider, encryption_context=context, attribute_actions=actions)
            stored = encrypt_dynamodb_item(item, config)
            decrypt_dynamodb_item(dict(stored), config)  # verifies
            cases[f"{item_name} {provider_name} encrypt"] = lambda i=item, c=config: encrypt_dynamodb_item(i, c)
            # decrypt_dynamodb_item pops the reserved attributes off the item it is given: a shallow copy each time
            cases[f"{item_name} {provider_name} decrypt"] = lambda s=stored, c=config: decrypt_dynamodb_item(dict(s), c)
    print(json.dumps({"ready": sorted(cases)}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        run = cases[request["case"]]
        ops = 0
        start = time.perf_counter()
        end = start + request["seconds"]
        now = start
        while now < end:
            run()
            ops += 1
            now = time.perf_counter()
        print(json.dumps({"ops": ops, "seconds": now - start}), flush=True)


if __name__ == "__main__":
    main()
