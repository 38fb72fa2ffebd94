#!/usr/bin/env python3
"""Writes a pom that runs a rabbitmq-java-client checkout's test sources against the released amqp-client jar of
the same version (so the checkout needs no code generation), with the checkout's own test dependencies.
Usage: java-client-pom.py <checkout> <out-dir>"""
import sys
import xml.etree.ElementTree as ET

NS = {"m": "http://maven.apache.org/POM/4.0.0"}
checkout, out = sys.argv[1], sys.argv[2]
root = ET.parse(checkout + "/pom.xml").getroot()
version = root.find("m:version", NS).text
props = {p.tag.split("}")[1]: (p.text or "") for p in root.find("m:properties", NS)}


def expand(text):
    for _ in range(5):
        for k, v in props.items():
            text = text.replace("${" + k + "}", v)
    return text


def deps(parent):
    out_xml = []
    for d in parent.findall("m:dependency", NS):
        fields = {c.tag.split("}")[1]: expand(c.text or "") for c in d if c.tag.split("}")[1] != "exclusions"}
        if fields.get("artifactId") in ("micrometer-docs-generator",):
            continue
        parts = ["<%s>%s</%s>" % (k, v, k) for k, v in fields.items() if k in ("groupId", "artifactId", "version", "type", "scope")]
        if "scope" not in fields:
            parts.append("<scope>compile</scope>")
        out_xml.append("<dependency>" + "".join(parts) + "</dependency>")
    return "\n".join(out_xml)


managed = root.find("m:dependencyManagement/m:dependencies", NS)
pom = f"""<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>peer</groupId><artifactId>java-client-functional-suite</artifactId><version>1</version>
  <properties>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
    <maven.compiler.release>17</maven.compiler.release>
  </properties>
  <dependencyManagement><dependencies>{deps(managed) if managed is not None else ''}</dependencies></dependencyManagement>
  <dependencies>
    <dependency><groupId>com.rabbitmq</groupId><artifactId>amqp-client</artifactId><version>{version}</version></dependency>
    {deps(root.find("m:dependencies", NS))}
  </dependencies>
  <build>
    <testSourceDirectory>{checkout}/src/test/java</testSourceDirectory>
    <testResources><testResource><directory>{checkout}/src/test/resources</directory></testResource></testResources>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>3.5.2</version>
        <configuration><testFailureIgnore>true</testFailureIgnore><argLine>-Xmx512m</argLine></configuration></plugin>
    </plugins>
  </build>
</project>
"""
open(out + "/pom.xml", "w").write(pom)
print(version)
