"""Validation rules of the ``credentials`` section: SNMP v1/v2c, SNMP v3 (auth/priv) and SSH.

A mixin of ``inventory.validation``'s validator, kept apart because credentials have the most
shape rules; secrets are read as references (``{env: NAME}``, ``{file: PATH}``) or literals.
The caller's ``ImportPolicy`` decides whether the section is read at all and which references
(files, environment variables, SSH key files) are refused, each refusal a located problem.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from inventory.fields import Reader
from inventory.policy import ImportPolicy, admin_only_warning
from inventory.spec import AUTH_PROTOCOLS, PRIV_PROTOCOLS, SNMP_VERSIONS, CredentialSpec, SecretInput
from inventory.yamlsrc import LocatedDict

CREDENTIAL_KEYS = {
    "snmp": ("type", "version", "community", "user", "auth", "priv"),
    "ssh": ("type", "username", "password", "key_file", "enable_secret"),
}


class CredentialRules:
    r: Reader
    base_dir: Path | None
    credential_types: dict[str, str]
    policy: ImportPolicy
    ignored_credentials: set[str]

    def credentials(self, top: LocatedDict) -> list[CredentialSpec]:
        value = top.get("credentials")
        if value is None:
            return []
        if not self.policy.credentials:
            return self.ignore_credentials(value, top.line_of("credentials"))
        section = self.r.mapping(value, top.line_of("credentials"), "credentials")
        if section is None:
            return []
        out = []
        for name, body in section.items():
            field = f"credentials.{name}"
            if not isinstance(name, str) or not name.strip():
                self.r.problem(section.line_of(name), field, "a credential needs a name")
                continue
            data = self.r.mapping(body, section.line_of(name), field)
            spec = self.credential(str(name), data, field) if data is not None else None
            if spec is not None:
                out.append(spec)
                self.credential_types[spec.name] = spec.type
        return out

    def ignore_credentials(self, value: object, line: int) -> list[CredentialSpec]:
        """Not the importer's to write: count them, warn, and remember the names for device errors."""
        names = [str(name) for name in value] if isinstance(value, dict) else []
        self.ignored_credentials.update(names)
        count = len(value) if isinstance(value, dict | list) else 1
        if count:
            self.r.warnings.append(admin_only_warning(self.r.file, line, count))
        return []

    def credential(self, name: str, data: LocatedDict, field: str) -> CredentialSpec | None:
        kind = self.r.choice(data, "type", field, ("snmp", "ssh"), None)
        if kind is None:
            if "type" not in data:
                self.r.problem(data.line, f"{field}.type", "required (snmp or ssh)")
            return None
        self.r.unknown_keys(data, CREDENTIAL_KEYS[kind], field)
        base = CredentialSpec(name=name, type=kind, line=data.line)
        if kind == "snmp":
            return self.snmp_credential(base, data, field)
        return self.ssh_credential(base, data, field)

    def snmp_credential(self, base: CredentialSpec, data: LocatedDict, field: str) -> CredentialSpec | None:
        if str(data.get("version", "")).lower() in ("2", "v2c", "v2"):
            data["version"] = "2c"
        version = self.r.choice(data, "version", field, SNMP_VERSIONS, None)
        if version is None:
            if "version" not in data:
                self.r.problem(data.line, f"{field}.version", "required (1, 2c or 3)")
            return None
        if version != "3":
            community = self.allowed(self.r.secret(data, "community", field), data.line_of("community"),
                                     f"{field}.community")
            if community is None and "community" not in data:
                self.r.problem(data.line, f"{field}.community", "required for SNMP v1/v2c")
            for key in ("user", "auth", "priv"):
                if key in data:
                    self.r.problem(data.line_of(key), f"{field}.{key}", "only for SNMP v3")
            return replace(base, snmp_version=version, community=community)
        if "community" in data:
            self.r.problem(data.line_of("community"), f"{field}.community", "not used by SNMP v3")
        user = self.r.text(data, "user", field, required=True)
        auth = self.protocol_key(data, "auth", field, AUTH_PROTOCOLS)
        priv = self.protocol_key(data, "priv", field, PRIV_PROTOCOLS)
        if priv[0] and not auth[0]:
            self.r.problem(data.line_of("priv"), f"{field}.priv", "privacy needs authentication (auth)")
        return replace(base, snmp_version="3", username=user, auth_protocol=auth[0], auth_key=auth[1],
                       priv_protocol=priv[0], priv_key=priv[1])

    def protocol_key(self, data: LocatedDict, key: str, field: str,
                     protocols: tuple[str, ...]) -> tuple[str | None, SecretInput | None]:
        if key not in data:
            return None, None
        sub = self.r.mapping(data[key], data.line_of(key), f"{field}.{key}")
        if sub is None:
            return None, None
        self.r.unknown_keys(sub, ("protocol", "key"), f"{field}.{key}")
        protocol = self.r.choice(sub, "protocol", f"{field}.{key}", protocols, None)
        if protocol is None and "protocol" not in sub:
            self.r.problem(sub.line, f"{field}.{key}.protocol", f"required (one of: {', '.join(protocols)})")
        secret = self.allowed(self.r.secret(sub, "key", f"{field}.{key}"), sub.line_of("key"),
                              f"{field}.{key}.key")
        if secret is None and "key" not in sub:
            self.r.problem(sub.line, f"{field}.{key}.key", "required")
        return protocol, secret

    def ssh_credential(self, base: CredentialSpec, data: LocatedDict, field: str) -> CredentialSpec | None:
        username = self.r.text(data, "username", field, required=True)
        password = self.allowed(self.r.secret(data, "password", field), data.line_of("password"),
                                f"{field}.password")
        key_file = self.r.text(data, "key_file", field)
        if key_file and self.base_dir is not None and not Path(key_file).expanduser().is_absolute() \
                and not key_file.startswith("~"):
            key_file = str((self.base_dir / key_file).resolve())
        if key_file is not None:
            key_file = self.allowed_key_file(key_file, data.line_of("key_file"), f"{field}.key_file")
        if password is None and key_file is None and "password" not in data and "key_file" not in data:
            self.r.problem(data.line, f"{field}", "an SSH credential needs a password or a key_file")
        enable = self.allowed(self.r.secret(data, "enable_secret", field), data.line_of("enable_secret"),
                              f"{field}.enable_secret")
        return replace(base, username=username, password=password, key_file=key_file, enable_secret=enable)

    def allowed(self, secret: SecretInput | None, line: int, where: str) -> SecretInput | None:
        """The secret with a relative ``file:`` made absolute, or None (a problem) when refused."""
        secret = self.absolute(secret)
        if secret is None or secret.ref is None or self.policy.guard is None:
            return secret
        kind, _, value = secret.ref.partition(":")
        reason = self.policy.guard.refusal(kind, value)
        if reason is None:
            return secret
        self.r.problem(line, f"{where}.{kind}", reason)
        return None

    def allowed_key_file(self, key_file: str, line: int, where: str) -> str | None:
        reason = self.policy.guard.refusal("key_file", key_file) if self.policy.guard is not None else None
        if reason is None:
            return key_file
        self.r.problem(line, where, reason)
        return None

    def absolute(self, secret: SecretInput | None) -> SecretInput | None:
        """``file:`` references relative to the inventory file's directory become absolute."""
        if secret is None or self.base_dir is None or not (secret.ref or "").startswith("file:"):
            return secret
        path = Path(str(secret.ref)[5:]).expanduser()
        return secret if path.is_absolute() else SecretInput(ref=f"file:{(self.base_dir / path).resolve()}")
