{#- Who decides a message's category (signal_source): a person's label always ('human');
    else the rules where they fire ('rule'); else the model ('model'); else the rules'
    'none' (no text, or no embedding yet). Measured against the alternatives on the
    development set: DECISIONLOG.md, "Rules and model". -#}
{% macro combine_signal(human_category, rule_category, model_category, model_confidence) -%}
    case
        when {{ human_category }} is not null then 'human'
        when {{ rule_category }} is not null then 'rule'
        when {{ model_category }} is not null then 'model'
        else 'rule'
    end
{%- endmacro %}
