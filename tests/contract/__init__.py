"""Tests of the contract: openapi.yaml, schemas/, conformance.contract and conformance.xml_codec."""
