import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createCamundaClient } from '@cpq/engine/modules/workflow';
import { testEnv } from '../../test/env';

// What deploy/jvm/camunda/src/main/resources/application.yaml sets, seen on the running Camunda.
// The removal time of history is written from the start (`history-removal-time-strategy: start`):
// a running instance already has it, start + its time to live, so nothing rewrites every
// history table of the instance when it ends.
const run = `cfg${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
const camunda = createCamundaClient(testEnv.camundaUrl);
let deploymentId: string | undefined;

const waiting = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="defs-${run}" targetNamespace="https://cpq.example/test">
  <bpmn:process id="${run}" isExecutable="true" camunda:historyTimeToLive="P7D">
    <bpmn:startEvent id="start"><bpmn:outgoing>to-wait</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="to-wait" sourceRef="start" targetRef="wait" />
    <bpmn:userTask id="wait"><bpmn:incoming>to-wait</bpmn:incoming></bpmn:userTask>
  </bpmn:process>
</bpmn:definitions>`;

afterAll(async () => {
  if (deploymentId) await camunda.deleteDeployment(deploymentId).catch(() => {});
});

describe('the Camunda the platform runs', () => {
  it('writes the removal time of an instance\'s history when it starts: start plus the process\'s time to live', async () => {
    deploymentId = (await camunda.deploy({ name: run, source: 'camunda-configuration test', tenantId: run, files: [{ name: `${run}.bpmn`, content: waiting }] })).id;
    const instance = await camunda.startProcessByKey(run, { businessKey: run, tenantId: run });
    const response = await fetch(`${testEnv.camundaUrl}/history/process-instance/${instance.id}`);
    const history = await response.json() as { state: string; startTime: string; removalTime: string | null };
    expect(history.state).toBe('ACTIVE');
    expect(history.removalTime).not.toBeNull();
    expect(Date.parse(history.removalTime!) - Date.parse(history.startTime)).toBe(7 * 24 * 3600 * 1000);
  });
});
