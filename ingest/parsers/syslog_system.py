"""What the kernel (USB mass storage), udisks (removable media) and cron say, as fields.

Same contract as :mod:`ingest.parsers.syslog_auth`: one handler per program, None for messages
it does not know.
"""

from __future__ import annotations

import re
from typing import Final

from ingest.parsers.columns import json_attrs
from ingest.parsers.syslog_auth import Extract, pam

_DMESG_TIME: Final = re.compile(r"\[\s*\d+\.\d+\] ")
_USB_NEW: Final = re.compile(r"usb (\S+): new (\S+) USB device number (\d+)")
_USB_FOUND: Final = re.compile(r"usb (\S+): New USB device found, idVendor=(\w+), idProduct=(\w+)")
_USB_STRING: Final = re.compile(r"usb (\S+): (Product|Manufacturer|SerialNumber): (.*)$")
_USB_GONE: Final = re.compile(r"usb (\S+): USB disconnect, device number (\d+)")
_USB_STORAGE: Final = re.compile(r"usb-storage (\S+): USB Mass Storage device detected")
_SCSI_DISK: Final = re.compile(r"sd \S+: \[(\w+)\] Attached SCSI removable disk")
_USBMSC: Final = re.compile(r"USBMSC Identifier \(non-unique\): (\S+) (0x\w+) (0x\w+) (0x\w+)")
_MOUNTED: Final = re.compile(
    r"Mounted (\S+) (?:\(system\) )?at (.+?)(?: on behalf of uid (\d+))?\.?$"
)
_UNMOUNTED: Final = re.compile(r"Unmounted (\S+)(?: on behalf of uid (\d+))?\.?$")
_CRON_CMD: Final = re.compile(r"\((\S+)\) CMD \((.*)\)$")

_USB_KEYS: Final = {"Product": "product", "Manufacturer": "manufacturer", "SerialNumber": "serial"}


def kernel(msg: str) -> Extract | None:
    """Kernel USB device and mass-storage lines (Linux usb/usb-storage/sd, macOS USBMSC)."""
    if msg.startswith("[") and (stamp := _DMESG_TIME.match(msg)):
        msg = msg[stamp.end() :]
    if msg.startswith("usb "):
        return _usb(msg)
    m: re.Match[str] | None
    if m := _USB_STORAGE.match(msg):
        return ("usb_mass_storage", "attach", "success", None, None, None, f"usb {m[1]}", None)
    if m := _SCSI_DISK.match(msg):
        attrs = json_attrs({"device": f"/dev/{m[1]}"})
        return ("removable_disk_attached", "attach", "success", None, None, None, m[1], attrs)
    if m := _USBMSC.match(msg):
        attrs = json_attrs(
            {"serial": m[1], "vendor_id": m[2], "product_id": m[3], "device_version": m[4]}
        )
        return ("usb_mass_storage", "attach", "success", None, None, None, m[1], attrs)
    return None


def _usb(msg: str) -> Extract | None:
    m: re.Match[str] | None
    if m := _USB_NEW.match(msg):
        attrs = json_attrs({"speed": m[2], "device_number": int(m[3])})
        return ("usb_attach", "attach", "success", None, None, None, f"usb {m[1]}", attrs)
    if m := _USB_FOUND.match(msg):
        attrs = json_attrs({"vendor_id": m[2], "product_id": m[3]})
        return ("usb_device_info", "identify", "unknown", None, None, None, f"usb {m[1]}", attrs)
    if m := _USB_STRING.match(msg):
        attrs = json_attrs({_USB_KEYS[m[2]]: m[3]})
        return ("usb_device_info", "identify", "unknown", None, None, None, f"usb {m[1]}", attrs)
    if m := _USB_GONE.match(msg):
        attrs = json_attrs({"device_number": int(m[2])})
        return ("usb_detach", "detach", "success", None, None, None, f"usb {m[1]}", attrs)
    return None


def udisks(msg: str) -> Extract | None:
    """udisksd mounts and unmounts (removable media, usually under /media or /run/media)."""
    m: re.Match[str] | None
    if m := _MOUNTED.match(msg):
        attrs = json_attrs({"device": m[1], "uid": _int(m[3])})
        return ("removable_media_mount", "mount", "success", None, None, None, m[2], attrs)
    if m := _UNMOUNTED.match(msg):
        attrs = json_attrs({"device": m[1], "uid": _int(m[2])})
        return ("removable_media_unmount", "unmount", "success", None, None, None, m[1], attrs)
    return None


def cron(msg: str) -> Extract | None:
    """cron: commands run for a user, and PAM sessions."""
    if msg.startswith(("pam_", "PAM ")):
        return pam(msg)
    if m := _CRON_CMD.match(msg):
        return ("cron_command", "exec", "unknown", m[1], None, None, m[2].strip(), None)
    return None


def _int(text: str | None) -> int | None:
    return int(text) if text else None
