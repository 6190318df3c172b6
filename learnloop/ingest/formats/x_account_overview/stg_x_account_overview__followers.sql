-- The account's daily follower change: new follows minus unfollows. X's overview gives no
-- follower total and names no account; the account is the one X handle under [brand], if
-- exactly one is configured (else NULL, published as '').
with source as (
    select * from {{ source('x_account_overview', 'x_account_overview__days') }}
)

select
    {{ conform_followers({
        'platform': "'x'",
        'account': single_brand_handle('x'),
        'date': "day",
        'net_change': "new_follows - unfollows",
        'source_format': "'x_account_overview'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
