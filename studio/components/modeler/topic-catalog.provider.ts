import { isSelectEntryEdited, SelectEntry } from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { getBusinessObject, is } from 'bpmn-js/lib/util/ModelUtil';
import type { WorkerTopic } from './topic-options';
import { topicDescription, topicOptions } from './topic-options';

/** bpmn-js's element as the properties panel hands it over (only what is read here). */
type Element = { businessObject: ModdleObject };
type ModdleObject = { $type: string; get(name: string): unknown; eventDefinitions?: ModdleObject[] };
type Group = { id: string; entries: { id: string; component: unknown; isEdited?: unknown }[] };
type PropertiesPanel = { registerProvider(priority: number, provider: { getGroups(element: Element): (groups: Group[]) => Group[] }): void };
type CommandStack = { execute(command: string, context: Record<string, unknown>): void };

/** Runs after the Camunda 7 provider (priority 500), whose Implementation group it extends. */
const AFTER_CAMUNDA = 400;

/**
 * Where camunda:topic lives: on the task, or on the message event definition of a message end
 * or intermediate throw event (as the Camunda 7 panel's own Topic entry reads it).
 */
function topicOwner(element: Element): ModdleObject {
  const bo = getBusinessObject(element) as ModdleObject;
  if (is(element, 'bpmn:IntermediateThrowEvent') || is(element, 'bpmn:EndEvent')) {
    const message = (bo.eventDefinitions ?? []).find((d) => d.$type === 'bpmn:MessageEventDefinition');
    if (message) return message;
  }
  return bo;
}

/** The entry: a choice among the worker catalog's topics, next to the panel's free-text Topic. */
function WorkerCatalogTopic({ element }: { element: Element }) {
  const commandStack = useService<CommandStack>('commandStack');
  const topics = useService<WorkerTopic[] | null>('config.workerTopics', false) ?? [];
  const owner = topicOwner(element);
  const current = String(owner.get('camunda:topic') ?? '');
  return SelectEntry({
    element,
    id: 'workerCatalogTopic',
    label: 'Topic from the worker catalog',
    description: topicDescription(topics, current),
    getValue: () => (topics.some((t) => t.topic === current) ? current : ''),
    setValue: (value: string) => {
      if (!value) return;
      commandStack.execute('element.updateModdleProperties', { element, moddleElement: owner, properties: { 'camunda:topic': value } });
    },
    getOptions: () => topicOptions(topics, current),
  });
}

/**
 * A properties provider: where the Camunda 7 panel shows an external task's Topic, it adds the
 * topics the platform's workers subscribe (GET /metadata/worker-topics, passed to the modeler
 * as `workerTopics`) as choices, with what the chosen one does and the variables it reads.
 */
class TopicCatalogProvider {
  static $inject = ['propertiesPanel'];

  constructor(propertiesPanel: PropertiesPanel) {
    propertiesPanel.registerProvider(AFTER_CAMUNDA, this);
  }

  getGroups() {
    return (groups: Group[]) => {
      const implementation = groups.find((g) => g.id === 'CamundaPlatform__Implementation');
      const at = implementation?.entries.findIndex((e) => e.id === 'externalTopic') ?? -1;
      if (implementation && at >= 0) {
        implementation.entries.splice(at + 1, 0, { id: 'workerCatalogTopic', component: WorkerCatalogTopic, isEdited: isSelectEntryEdited });
      }
      return groups;
    };
  }
}

export const TopicCatalogModule = {
  __init__: ['workerTopicCatalogProvider'],
  workerTopicCatalogProvider: ['type', TopicCatalogProvider],
};
