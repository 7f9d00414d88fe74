#!/bin/sh
# The `gatehouse` command in the compose example's image.
exec java ${GATEHOUSE_JAVA_OPTS:-} -jar /opt/gatehouse/gatehouse.jar "$@"
